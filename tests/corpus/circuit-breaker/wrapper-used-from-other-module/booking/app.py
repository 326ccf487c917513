"""Booking API built on the shared HTTP helpers."""

import os

from fastapi import FastAPI

from booking.http_utils import get_json, post_json

app = FastAPI()
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


@app.get("/flights/{flight_id}")
def flight(flight_id: str) -> dict:
    return get_json(f"{FLIGHTS_URL}/flights/{flight_id}")


@app.post("/bookings")
def book(user_id: str, flight_id: str, amount_cents: int) -> dict:
    charge = post_json(f"{PAYMENTS_URL}/charges", {"user_id": user_id, "amount": amount_cents})
    seat = post_json(f"{FLIGHTS_URL}/reservations", {"flight_id": flight_id, "user_id": user_id})
    return {"charge": charge["id"], "seat": seat["id"]}
