"""Flight booking service layer."""

import sqlite3
import uuid


class BookingService:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def book(self, booking_id: str, flight_id: str) -> str:
        seat_hold = str(uuid.uuid4())
        self.conn.execute(
            "INSERT INTO flight_bookings (id, booking_id, flight_id) VALUES (?, ?, ?)",
            (seat_hold, booking_id, flight_id),
        )
        self.conn.execute("UPDATE flights SET seats = seats - 1 WHERE id = ?", (flight_id,))
        self.conn.commit()
        return seat_hold

    def cancel(self, hold_id: str) -> None:
        self.conn.execute("DELETE FROM flight_bookings WHERE id = ?", (hold_id,))
        self.conn.commit()


def get_service() -> BookingService:
    return BookingService(sqlite3.connect("flights.db", check_same_thread=False))
