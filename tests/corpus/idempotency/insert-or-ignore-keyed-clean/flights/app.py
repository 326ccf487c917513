"""Flights: one reservation per (booking, flight); a replay inserts nothing."""

import sqlite3

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
conn = sqlite3.connect("flights.db", check_same_thread=False)


class ReserveIn(BaseModel):
    booking_id: str
    flight_id: str
    user_id: str


@app.post("/reservations")
def reserve(body: ReserveIn) -> dict:
    conn.execute(
        "INSERT OR IGNORE INTO reservations (booking_id, flight_id, user_id) VALUES (?, ?, ?)",
        (body.booking_id, body.flight_id, body.user_id),
    )
    conn.commit()
    row = conn.execute(
        "SELECT id FROM reservations WHERE booking_id = ? AND flight_id = ?",
        (body.booking_id, body.flight_id),
    ).fetchone()
    return {"id": row[0]}
