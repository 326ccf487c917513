"""Hotels service: a thin layer over the channel manager's API."""

import os

import httpx
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

CHANNEL_MANAGER = os.environ.get("CHANNEL_MANAGER_URL", "https://cm.example.com/api")
app = FastAPI()
client = httpx.AsyncClient(timeout=10.0)


class StayRequest(BaseModel):
    hotel_code: str
    guest: str
    check_in: str
    nights: int


@app.post("/bookings")
async def book_stay(stay: StayRequest) -> dict:  # expect: SP401
    resp = await client.post(f"{CHANNEL_MANAGER}/reservations", json=stay.model_dump())
    if resp.status_code != 201:
        raise HTTPException(status_code=502, detail="channel manager refused the booking")
    return {"id": resp.json()["confirmation"]}


@app.post("/bookings/{booking_id}/cancel")
async def cancel_stay(booking_id: str) -> dict:  # expect: SP401
    resp = await client.post(f"{CHANNEL_MANAGER}/reservations/{booking_id}/cancellations")
    resp.raise_for_status()
    return {"id": booking_id, "cancelled": True}


@app.get("/bookings/{booking_id}")
async def show_stay(booking_id: str) -> dict:
    resp = await client.get(f"{CHANNEL_MANAGER}/reservations/{booking_id}")
    resp.raise_for_status()
    return resp.json()
