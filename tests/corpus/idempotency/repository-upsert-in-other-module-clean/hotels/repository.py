"""Hotel reservations repository: writes are upserts keyed on the booking reference."""

import sqlite3


class ReservationRepository:
    def __init__(self, path: str = "hotels.db") -> None:
        self.conn = sqlite3.connect(path, check_same_thread=False)

    def upsert(self, booking_ref: str, hotel_id: str, nights: int) -> int:
        self.conn.execute(
            "INSERT INTO reservations (booking_ref, hotel_id, nights) VALUES (?, ?, ?) "
            "ON CONFLICT (booking_ref) DO UPDATE SET hotel_id = excluded.hotel_id, nights = excluded.nights",
            (booking_ref, hotel_id, nights),
        )
        self.conn.commit()
        row = self.conn.execute(
            "SELECT id FROM reservations WHERE booking_ref = ?", (booking_ref,)
        ).fetchone()
        return row[0]
