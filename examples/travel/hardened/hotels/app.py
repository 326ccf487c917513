"""Hotels service: room inventory and room reservations."""

import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from common.inventory import Inventory
from common.service import guard

DB_PATH = os.getenv("HOTELS_DB", "hotels.db")

# Sample hotels with the number of rooms still free
SEED_HOTELS = {"grand-plaza": 25, "harbour-inn": 8, "mountain-lodge": 1}

rooms = Inventory(DB_PATH, table="hotels", key="name", left="rooms_left", field="hotel")


@asynccontextmanager
async def lifespan(app: FastAPI):
    rooms.create(SEED_HOTELS)
    yield


app = FastAPI(title="Hotels Service", lifespan=lifespan)
guard(app, DB_PATH)


class ReservationRequest(BaseModel):
    id: str
    hotel: str
    booking_id: str


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/hotels/{name}")
def get_hotel(name: str):
    left = rooms.units_left(name)
    if left is None:
        raise HTTPException(status_code=404, detail="Hotel not found")
    return {"name": name, "rooms_left": left}


@app.post("/reservations")
def reserve_room(req: ReservationRequest):
    """Reserve one room in a hotel, under the id the caller chose (see common/inventory.py)."""
    return rooms.reserve(req.id, req.hotel, req.booking_id)


@app.delete("/reservations/{reservation_id}")
def cancel_reservation(reservation_id: str):
    """Cancel a reservation and free its room again; safe to repeat."""
    return rooms.cancel(reservation_id)
