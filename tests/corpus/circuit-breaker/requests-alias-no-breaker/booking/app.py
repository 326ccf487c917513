"""Booking API: charges the card, then reserves the seat."""

import os

import requests as rq
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ.get("FLIGHTS_URL", "http://localhost:8002")

app = FastAPI(title="booking")


class BookingRequest(BaseModel):
    user_id: str
    flight_id: str
    amount_cents: int


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/flights/{flight_id}")
def flight_details(flight_id: str) -> dict:
    resp = rq.get(f"{FLIGHTS_URL}/flights/{flight_id}", timeout=3)  # expect: SP301
    if resp.status_code == 404:
        raise HTTPException(status_code=404, detail="unknown flight")
    resp.raise_for_status()
    return resp.json()


@app.post("/bookings")
def create_booking(req: BookingRequest) -> dict:
    charge = rq.post(  # expect: SP301
        PAYMENTS_URL + "/charges",
        json={"user_id": req.user_id, "amount_cents": req.amount_cents},
        timeout=5,
    )
    charge.raise_for_status()
    seat = rq.post(  # expect: SP301
        f"{FLIGHTS_URL}/reservations",
        json={"flight_id": req.flight_id, "user_id": req.user_id},
        timeout=5,
    )
    seat.raise_for_status()
    return {"charge": charge.json()["id"], "reservation": seat.json()["id"]}
