"""Booking: programmatic auto-instrumentation (every installed instrumentor)."""

import os

from opentelemetry.instrumentation.auto_instrumentation import initialize

initialize()

import requests  # noqa: E402
from fastapi import FastAPI  # noqa: E402

app = FastAPI()


@app.post("/bookings")
def book(payload: dict) -> dict:
    resp = requests.post(f"{os.environ['PAYMENTS_URL']}/charges", json=payload, timeout=5)
    resp.raise_for_status()
    return resp.json()
