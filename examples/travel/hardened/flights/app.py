"""Flights service: seat inventory and seat reservations."""

import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from common.inventory import Inventory
from common.service import guard

DB_PATH = os.getenv("FLIGHTS_DB", "flights.db")

# Sample flights with the number of seats still for sale
SEED_FLIGHTS = {"TR100": 150, "TR200": 40, "TR300": 1}

seats = Inventory(DB_PATH, table="flights", key="code", left="seats_left", field="flight")


@asynccontextmanager
async def lifespan(app: FastAPI):
    seats.create(SEED_FLIGHTS)
    yield


app = FastAPI(title="Flights Service", lifespan=lifespan)
guard(app, DB_PATH)


class ReservationRequest(BaseModel):
    id: str
    flight: str
    booking_id: str


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/flights/{code}")
def get_flight(code: str):
    left = seats.units_left(code)
    if left is None:
        raise HTTPException(status_code=404, detail="Flight not found")
    return {"code": code, "seats_left": left}


@app.post("/reservations")
def reserve_seat(req: ReservationRequest):
    """Reserve one seat on a flight, under the id the caller chose (see common/inventory.py)."""
    return seats.reserve(req.id, req.flight, req.booking_id)


@app.delete("/reservations/{reservation_id}")
def cancel_reservation(reservation_id: str):
    """Cancel a reservation and put its seat back on sale; safe to repeat."""
    return seats.cancel(reservation_id)
