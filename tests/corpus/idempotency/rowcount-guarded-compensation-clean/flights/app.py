"""Flights: cancelling flips the status first and only releases the seat if it changed."""

import sqlite3

from fastapi import FastAPI, Header

app = FastAPI()
conn = sqlite3.connect("flights.db", check_same_thread=False, isolation_level=None)


@app.post("/reservations")
def reserve(payload: dict, idempotency_key: str = Header(alias="Idempotency-Key")) -> dict:
    conn.execute(
        "INSERT INTO reservations (key, flight_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
        (idempotency_key, payload["flight_id"]),
    )
    return {"id": idempotency_key}


@app.delete("/reservations/{reservation_id}")
def cancel(reservation_id: str) -> dict:
    conn.execute("BEGIN IMMEDIATE")
    cur = conn.execute(
        "UPDATE reservations SET status = 'cancelled' WHERE id = ? AND status = 'held'",
        (reservation_id,),
    )
    if cur.rowcount == 0:
        conn.execute("COMMIT")
        return {"id": reservation_id, "already_cancelled": True}
    conn.execute(
        "UPDATE flights SET seats_left = seats_left + 1 "
        "WHERE id = (SELECT flight_id FROM reservations WHERE id = ?)",
        (reservation_id,),
    )
    conn.execute("COMMIT")
    return {"id": reservation_id}
