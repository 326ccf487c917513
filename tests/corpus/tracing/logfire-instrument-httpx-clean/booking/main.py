"""Booking API traced with Logfire (OpenTelemetry underneath)."""

import os

import httpx
import logfire
from fastapi import FastAPI

logfire.configure(service_name="booking")
logfire.instrument_httpx()

app = FastAPI()
logfire.instrument_fastapi(app)
client = httpx.AsyncClient(timeout=5.0)


@app.post("/bookings")
async def book(payload: dict) -> dict:
    resp = await client.post(f"{os.environ['PAYMENTS_URL']}/charges", json=payload)
    resp.raise_for_status()
    return resp.json()
