"""Booking uses the stormproof resilient client for every downstream call."""

import os

from fastapi import FastAPI
from pydantic import BaseModel
from stormproof.kit import Client

app = FastAPI()
payments = Client("payments", base_url=os.environ["PAYMENTS_URL"], timeout=5.0)
flights = Client("flights", base_url=os.environ["FLIGHTS_URL"], timeout=5.0)


class Booking(BaseModel):
    user_id: str
    flight_id: str
    amount_cents: int


@app.post("/bookings")
def book(booking: Booking) -> dict:
    charge = payments.post(
        "/charges", json={"user_id": booking.user_id, "amount_cents": booking.amount_cents}
    )
    seat = flights.post(
        "/reservations", json={"flight_id": booking.flight_id, "user_id": booking.user_id}
    )
    return {"charge": charge.json()["id"], "seat": seat.json()["id"]}


@app.get("/flights/{flight_id}")
def flight(flight_id: str) -> dict:
    return flights.get(f"/flights/{flight_id}").json()
