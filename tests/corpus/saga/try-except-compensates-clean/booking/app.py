"""Booking API with a compensating failure path for each later step."""

import logging
import os

import requests
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

log = logging.getLogger("booking")
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
    charge = requests.post(f"{PAYMENTS_URL}/charges", json=req.model_dump(), timeout=5)
    charge.raise_for_status()
    charge_id = charge.json()["id"]
    try:
        flight = requests.post(f"{FLIGHTS_URL}/reservations", json=req.model_dump(), timeout=5)
        flight.raise_for_status()
    except requests.RequestException as exc:
        requests.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5)
        raise HTTPException(status_code=502, detail="flight reservation failed") from exc
    flight_id = flight.json()["id"]
    try:
        hotel = requests.post(f"{HOTELS_URL}/reservations", json=req.model_dump(), timeout=5)
        hotel.raise_for_status()
    except requests.RequestException as exc:
        log.warning("hotel failed, compensating")
        requests.delete(f"{FLIGHTS_URL}/reservations/{flight_id}", timeout=5)
        requests.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5)
        raise HTTPException(status_code=502, detail="hotel reservation failed") from exc
    return {"charge": charge_id, "flight": flight_id, "hotel": hotel.json()["id"]}
