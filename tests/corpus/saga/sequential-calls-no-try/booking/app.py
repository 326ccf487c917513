"""Booking API: the happy path only."""

import os

import requests
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


class TripRequest(BaseModel):
    user_id: str
    flight_id: str
    hotel_id: str
    amount_cents: int


@app.post("/trips", status_code=201)
def book_trip(req: TripRequest) -> dict:
    charge = requests.post(
        f"{PAYMENTS_URL}/charges",
        json={"user_id": req.user_id, "amount_cents": req.amount_cents},
        timeout=5,
    )
    charge.raise_for_status()
    flight = requests.post(  # expect: SP502
        f"{FLIGHTS_URL}/reservations",
        json={"flight_id": req.flight_id, "user_id": req.user_id},
        timeout=5,
    )
    flight.raise_for_status()
    hotel = requests.post(
        f"{HOTELS_URL}/reservations",
        json={"hotel_id": req.hotel_id, "user_id": req.user_id},
        timeout=5,
    )
    hotel.raise_for_status()
    return {
        "charge_id": charge.json()["id"],
        "flight_reservation": flight.json()["id"],
        "hotel_reservation": hotel.json()["id"],
    }
