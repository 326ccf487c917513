"""Booking confirmation. Notifications is not a step of any saga."""

import os
import sqlite3

import requests

NOTIFICATIONS_URL = os.environ["NOTIFICATIONS_URL"]
db = sqlite3.connect(os.environ.get("BOOKINGS_DB", "bookings.db"), check_same_thread=False)


def confirm(booking_id: str, email: str) -> None:
    with db:
        db.execute("UPDATE bookings SET state = 'confirmed' WHERE id = ?", (booking_id,))
    requests.post(  # expect: SP902
        f"{NOTIFICATIONS_URL}/emails",
        json={"to": email, "template": "booking-confirmed", "booking": booking_id},
        timeout=5,
    )


def resend(booking_id: str, email: str) -> None:
    requests.post(
        f"{NOTIFICATIONS_URL}/emails",
        json={"to": email, "template": "booking-confirmed", "booking": booking_id},
        timeout=5,
    )
