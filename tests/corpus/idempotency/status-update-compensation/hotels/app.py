"""Hotels: cancellation only sets a status, but it is a write made without a key."""

import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


def db() -> sqlite3.Connection:
    return sqlite3.connect("hotels.db")


@app.post("/reservations")
def reserve():
    data = request.get_json()
    with db() as conn:
        conn.execute(
            "INSERT INTO reservations (booking_ref, hotel_id) VALUES (?, ?) "
            "ON CONFLICT (booking_ref) DO NOTHING",
            (data["booking_ref"], data["hotel_id"]),
        )
    return jsonify(ok=True), 201


@app.delete("/reservations/<reservation_id>")
def cancel(reservation_id: str):  # expect: SP401
    with db() as conn:
        conn.execute(
            "UPDATE reservations SET status = 'cancelled' WHERE id = ?", (reservation_id,)
        )
    return jsonify(id=reservation_id, status="cancelled")
