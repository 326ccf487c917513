"""Booking API; the instrumentor was imported but the call was never written."""

import os

import httpx
from fastapi import FastAPI
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor  # noqa: F401

app = FastAPI()
client = httpx.Client(timeout=5.0)
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


@app.get("/flights/{flight_id}")
def flight(flight_id: str) -> dict:
    resp = client.get(f"{FLIGHTS_URL}/flights/{flight_id}")  # expect: SP601
    resp.raise_for_status()
    return resp.json()


@app.delete("/reservations/{reservation_id}")
def cancel(reservation_id: str) -> dict:
    client.delete(f"{FLIGHTS_URL}/reservations/{reservation_id}").raise_for_status()  # expect: SP601
    return {"cancelled": reservation_id}
