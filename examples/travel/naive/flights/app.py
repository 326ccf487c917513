"""Flights service: seat inventory and seat reservations."""

import os
import sqlite3
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

DB_PATH = os.getenv("FLIGHTS_DB", "flights.db")

# Sample flights with the number of seats still for sale
SEED_FLIGHTS = {"TR100": 150, "TR200": 40, "TR300": 1}


def get_db() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    return conn


def init_db() -> None:
    conn = get_db()
    conn.executescript(
        """
        CREATE TABLE IF NOT EXISTS flights (
            code TEXT PRIMARY KEY,
            seats_left INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS reservations (
            id TEXT PRIMARY KEY,
            flight TEXT NOT NULL,
            booking_id TEXT NOT NULL,
            created_at TEXT DEFAULT CURRENT_TIMESTAMP
        );
        """
    )
    conn.executemany(
        "INSERT OR IGNORE INTO flights (code, seats_left) VALUES (?, ?)", SEED_FLIGHTS.items()
    )
    conn.commit()
    conn.close()


@asynccontextmanager
async def lifespan(app: FastAPI):
    init_db()
    yield


app = FastAPI(title="Flights Service", lifespan=lifespan)


class ReservationRequest(BaseModel):
    flight: str
    booking_id: str


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/flights/{code}")
def get_flight(code: str):
    conn = get_db()
    row = conn.execute("SELECT code, seats_left FROM flights WHERE code = ?", (code,)).fetchone()
    conn.close()
    if row is None:
        raise HTTPException(status_code=404, detail="Flight not found")
    return dict(row)


@app.post("/reservations")
def reserve_seat(req: ReservationRequest):
    """Reserve one seat on a flight."""
    conn = get_db()
    row = conn.execute("SELECT seats_left FROM flights WHERE code = ?", (req.flight,)).fetchone()
    if row is None:
        conn.close()
        raise HTTPException(status_code=404, detail="Flight not found")
    if row["seats_left"] <= 0:
        conn.close()
        raise HTTPException(status_code=409, detail="No seats left on this flight")

    seats_left = row["seats_left"] - 1
    conn.execute("UPDATE flights SET seats_left = ? WHERE code = ?", (seats_left, req.flight))

    reservation_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO reservations (id, flight, booking_id) VALUES (?, ?, ?)",
        (reservation_id, req.flight, req.booking_id),
    )
    conn.commit()
    conn.close()
    return {"id": reservation_id, "flight": req.flight, "seats_left": seats_left}


@app.delete("/reservations/{reservation_id}")
def cancel_reservation(reservation_id: str):
    """Cancel a reservation and put the seat back on sale."""
    conn = get_db()
    reservation = conn.execute(
        "SELECT flight FROM reservations WHERE id = ?", (reservation_id,)
    ).fetchone()
    if reservation is None:
        conn.close()
        raise HTTPException(status_code=404, detail="Reservation not found")

    flight = reservation["flight"]
    row = conn.execute("SELECT seats_left FROM flights WHERE code = ?", (flight,)).fetchone()
    seats_left = row["seats_left"] + 1
    conn.execute("UPDATE flights SET seats_left = ? WHERE code = ?", (seats_left, flight))
    conn.execute("DELETE FROM reservations WHERE id = ?", (reservation_id,))
    conn.commit()
    conn.close()
    return {"id": reservation_id, "status": "cancelled"}
