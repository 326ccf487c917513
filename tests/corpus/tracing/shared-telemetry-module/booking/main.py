"""Booking: tracing comes from the shared telemetry module."""

import os

import httpx
from fastapi import FastAPI

from common.telemetry import setup_tracing

app = FastAPI()
setup_tracing(app, "booking")
client = httpx.AsyncClient(timeout=5.0)


@app.post("/bookings")
async def book(payload: dict) -> dict:
    resp = await client.post(f"{os.environ['PAYMENTS_URL']}/charges", json=payload)
    resp.raise_for_status()
    return resp.json()
