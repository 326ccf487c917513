"""Flights endpoints that share a path with the saga step but not its method."""

import sqlite3

from fastapi import FastAPI

app = FastAPI()
conn = sqlite3.connect("flights.db", check_same_thread=False)


@app.get("/reservations")
def list_reservations(user_id: str) -> list[dict]:
    rows = conn.execute("SELECT id, flight_id FROM reservations WHERE user_id = ?", (user_id,))
    return [{"id": r[0], "flight_id": r[1]} for r in rows]


@app.patch("/reservations/{reservation_id}")
def change_seat(reservation_id: int, payload: dict) -> dict:
    conn.execute(
        "INSERT INTO seat_changes (reservation_id, seat) VALUES (?, ?)", (reservation_id, payload["seat"])
    )
    conn.commit()
    return {"id": reservation_id, "seat": payload["seat"]}


@app.post("/reservations/{reservation_id}/notes")
def add_note(reservation_id: int, payload: dict) -> dict:
    conn.execute("INSERT INTO notes (reservation_id, text) VALUES (?, ?)", (reservation_id, payload["text"]))
    conn.commit()
    return {"ok": True}
