"""Flights: the compensation deletes by id with no key; the spec counts every DELETE."""

import sqlite3

from fastapi import FastAPI, Header, Response

app = FastAPI()
conn = sqlite3.connect("flights.db", check_same_thread=False)


@app.post("/reservations", status_code=201)
def reserve(payload: dict, idempotency_key: str = Header(...)) -> dict:
    conn.execute(
        "INSERT OR IGNORE INTO reservations (key, flight_id, user_id) VALUES (?, ?, ?)",
        (idempotency_key, payload["flight_id"], payload["user_id"]),
    )
    conn.commit()
    row = conn.execute("SELECT id FROM reservations WHERE key = ?", (idempotency_key,)).fetchone()
    return {"id": row[0]}


@app.delete("/reservations/{reservation_id}", status_code=204)
def cancel(reservation_id: int) -> Response:  # expect: SP401
    conn.execute("DELETE FROM reservations WHERE id = ?", (reservation_id,))
    conn.commit()
    return Response(status_code=204)
