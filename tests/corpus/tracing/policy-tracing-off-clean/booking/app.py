"""A system that deliberately runs without distributed tracing."""

import os

import requests
from fastapi import FastAPI

app = FastAPI()


@app.post("/bookings")
def book(payload: dict) -> dict:
    resp = requests.post(f"{os.environ['PAYMENTS_URL']}/charges", json=payload, timeout=5)
    resp.raise_for_status()
    return resp.json()
