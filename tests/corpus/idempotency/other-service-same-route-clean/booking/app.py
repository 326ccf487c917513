"""Booking's own endpoints: POST /charges here is not the saga's payments step."""

import sqlite3

from fastapi import FastAPI

app = FastAPI()
conn = sqlite3.connect("booking.db", check_same_thread=False)


@app.post("/charges")
def record_charge_note(payload: dict) -> dict:
    conn.execute("INSERT INTO charge_notes (booking_id, note) VALUES (?, ?)", (payload["booking_id"], payload["note"]))
    conn.commit()
    return {"ok": True}


@app.post("/reservations")
def record_reservation_note(payload: dict) -> dict:
    conn.execute("INSERT INTO reservation_notes (booking_id) VALUES (?)", (payload["booking_id"],))
    conn.commit()
    return {"ok": True}
