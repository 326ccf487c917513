"""Booking API: payments through requests, flights through httpx."""

import os

import httpx
import requests
from fastapi import FastAPI

from booking.telemetry import setup_tracing

setup_tracing()
app = FastAPI()
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
flights = httpx.Client(base_url=FLIGHTS_URL, timeout=5.0)


@app.post("/bookings")
def book(user_id: str, flight_id: str, amount_cents: int) -> dict:
    charge = requests.post(
        f"{PAYMENTS_URL}/charges", json={"user": user_id, "amount": amount_cents}, timeout=5
    )
    charge.raise_for_status()
    seat = flights.post("/reservations", json={"flight_id": flight_id, "user_id": user_id})  # expect: SP601
    seat.raise_for_status()
    return {"charge": charge.json()["id"], "seat": seat.json()["id"]}


@app.get("/flights/{flight_id}")
def flight(flight_id: str) -> dict:
    return flights.get(f"/flights/{flight_id}").json()  # expect: SP601
