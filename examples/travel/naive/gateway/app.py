"""API gateway: the public entry point for booking trips."""

import os
import sqlite3
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from tenacity import retry, retry_if_exception_type, wait_fixed

BOOKING_URL = os.getenv("BOOKING_URL", "http://localhost:8001")

# One shared client so connections to the booking service are reused.
# Bookings can take a while, so don't cut them off.
client = httpx.AsyncClient(timeout=None)


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield
    await client.aclose()


app = FastAPI(title="Travel Gateway", lifespan=lifespan)


class TripRequest(BaseModel):
    customer: str
    flight: str
    hotel: str
    amount: float


@app.get("/health")
def health():
    return {"status": "ok"}


@retry(retry=retry_if_exception_type(httpx.TransportError), wait=wait_fixed(2))
async def forward_to_booking(trip: TripRequest) -> httpx.Response:
    return await client.post(f"{BOOKING_URL}/bookings", json=trip.model_dump())


@app.post("/trips")
async def create_trip(trip: TripRequest):
    """Book a trip (payment, flight and hotel) through the booking service."""
    resp = await forward_to_booking(trip)
    if resp.status_code != 200:
        raise HTTPException(status_code=resp.status_code, detail=resp.json().get("detail"))
    return resp.json()


@app.get("/trips/{trip_id}")
def get_trip(trip_id: str):
    """Look up a trip's booking status."""
    # Reading the bookings table directly is faster than another HTTP hop
    conn = sqlite3.connect(os.environ["BOOKINGS_DB"])
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM bookings WHERE id = ?", (trip_id,)).fetchone()
    conn.close()
    if row is None:
        raise HTTPException(status_code=404, detail="Trip not found")
    return dict(row)
