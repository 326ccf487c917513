"""Booking site backend: availability search and bookings."""

import os
import uuid
from datetime import date

import httpx
import stamina
from fastapi import FastAPI, Request
from pydantic import BaseModel

RESERVATIONS_URL = os.environ["RESERVATIONS_URL"]
AVAILABILITY_URL = "http://inventory:8000/availability"

app = FastAPI(title="frontdesk")
client = httpx.AsyncClient(timeout=httpx.Timeout(None, connect=2.0))


class Booking(BaseModel):
    guest_email: str
    room_type: str
    check_in: date
    nights: int
    card_token: str


@stamina.retry(on=httpx.TransportError, attempts=3)
async def submit_booking(booking: Booking, request_id: str) -> httpx.Response:
    return await client.post(
        f"{RESERVATIONS_URL}/reservations",
        json=booking.model_dump(mode="json"),
        headers={"X-Request-ID": request_id},
    )


@app.get("/availability")
async def availability(room_type: str, check_in: date, nights: int) -> dict:
    rooms = await client.get(
        AVAILABILITY_URL,
        params={"room_type": room_type, "check_in": check_in.isoformat(), "nights": nights},
    )
    rooms.raise_for_status()
    return rooms.json()


@app.post("/bookings", status_code=201)
async def book(booking: Booking, request: Request) -> dict:
    request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
    resp = await submit_booking(booking, request_id)
    resp.raise_for_status()
    return resp.json()


@app.get("/bookings/{reservation_id}")
async def booking_status(reservation_id: int) -> dict:
    resp = await client.get(f"{RESERVATIONS_URL}/reservations/{reservation_id}")
    resp.raise_for_status()
    return resp.json()
