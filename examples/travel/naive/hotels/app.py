"""Hotels service: room inventory and room reservations."""

import os
import sqlite3
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

DB_PATH = os.getenv("HOTELS_DB", "hotels.db")

# Sample hotels with the number of rooms still available
SEED_HOTELS = {"grand-plaza": 25, "harbour-inn": 8, "mountain-lodge": 1}


def get_db() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    return conn


def init_db() -> None:
    conn = get_db()
    conn.executescript(
        """
        CREATE TABLE IF NOT EXISTS hotels (
            name TEXT PRIMARY KEY,
            rooms_left INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS reservations (
            id TEXT PRIMARY KEY,
            hotel TEXT NOT NULL,
            booking_id TEXT NOT NULL,
            created_at TEXT DEFAULT CURRENT_TIMESTAMP
        );
        """
    )
    conn.executemany(
        "INSERT OR IGNORE INTO hotels (name, rooms_left) VALUES (?, ?)", SEED_HOTELS.items()
    )
    conn.commit()
    conn.close()


@asynccontextmanager
async def lifespan(app: FastAPI):
    init_db()
    yield


app = FastAPI(title="Hotels Service", lifespan=lifespan)


class ReservationRequest(BaseModel):
    hotel: str
    booking_id: str


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/hotels/{name}")
def get_hotel(name: str):
    conn = get_db()
    row = conn.execute("SELECT name, rooms_left FROM hotels WHERE name = ?", (name,)).fetchone()
    conn.close()
    if row is None:
        raise HTTPException(status_code=404, detail="Hotel not found")
    return dict(row)


@app.post("/reservations")
def reserve_room(req: ReservationRequest):
    """Reserve one room at a hotel."""
    conn = get_db()
    row = conn.execute("SELECT rooms_left FROM hotels WHERE name = ?", (req.hotel,)).fetchone()
    if row is None:
        conn.close()
        raise HTTPException(status_code=404, detail="Hotel not found")
    if row["rooms_left"] < 1:
        conn.close()
        raise HTTPException(status_code=409, detail="No rooms available")

    rooms_left = row["rooms_left"] - 1
    conn.execute("UPDATE hotels SET rooms_left = ? WHERE name = ?", (rooms_left, req.hotel))

    reservation_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO reservations (id, hotel, booking_id) VALUES (?, ?, ?)",
        (reservation_id, req.hotel, req.booking_id),
    )
    conn.commit()
    conn.close()
    return {"id": reservation_id, "hotel": req.hotel, "rooms_left": rooms_left}


@app.delete("/reservations/{reservation_id}")
def cancel_reservation(reservation_id: str):
    """Cancel a room reservation and release the room."""
    conn = get_db()
    reservation = conn.execute(
        "SELECT hotel FROM reservations WHERE id = ?", (reservation_id,)
    ).fetchone()
    if reservation is None:
        conn.close()
        raise HTTPException(status_code=404, detail="Reservation not found")

    conn.execute(
        "UPDATE hotels SET rooms_left = rooms_left + 1 WHERE name = ?", (reservation["hotel"],)
    )
    conn.execute("DELETE FROM reservations WHERE id = ?", (reservation_id,))
    conn.commit()
    conn.close()
    return {"id": reservation_id, "status": "cancelled"}
