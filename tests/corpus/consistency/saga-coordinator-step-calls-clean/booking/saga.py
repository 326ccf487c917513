"""The book-trip saga: its state is recorded locally; step calls are the saga rules' business."""

import os
import sqlite3
import uuid

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
db = sqlite3.connect(os.environ.get("BOOKINGS_DB", "bookings.db"), check_same_thread=False)


def book_trip(trip_id: str, amount: int, flight: str) -> str:
    booking_id = str(uuid.uuid4())
    with db:
        db.execute("INSERT INTO bookings (id, trip, state) VALUES (?, ?, 'started')", (booking_id, trip_id))
    with httpx.Client(timeout=5) as client:
        charge = client.post(f"{PAYMENTS_URL}/charges", json={"amount": amount}, headers={"Idempotency-Key": booking_id})
        charge.raise_for_status()
        try:
            seat = client.post(f"{FLIGHTS_URL}/reservations", json={"flight": flight}, headers={"Idempotency-Key": booking_id})
            seat.raise_for_status()
        except httpx.HTTPError:
            client.post(f"{PAYMENTS_URL}/refunds", json={"charge": charge.json()["id"]}, headers={"Idempotency-Key": booking_id})
            raise
    with db:
        db.execute("UPDATE bookings SET state = 'confirmed' WHERE id = ?", (booking_id,))
    return booking_id
