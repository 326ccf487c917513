"""Booking API; this system runs breakers in the service mesh, so the policy is off."""

import os

import httpx
from fastapi import FastAPI

app = FastAPI()
client = httpx.Client(timeout=5.0)


@app.post("/bookings")
def book(user_id: str, flight_id: str) -> dict:
    charge = client.post(f"{os.environ['PAYMENTS_URL']}/charges", json={"user_id": user_id})
    charge.raise_for_status()
    seat = client.post(
        f"{os.environ['FLIGHTS_URL']}/reservations", json={"flight_id": flight_id}
    )
    seat.raise_for_status()
    return {"charge": charge.json()["id"], "seat": seat.json()["id"]}
