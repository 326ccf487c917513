"""Units for sale (seats on a flight, rooms in a hotel) and the reservations that hold them.

Why it is safe under retries, races and sagas:

- The caller names each reservation (``id``): a retried reservation finds the first one and
  answers with it instead of selling a second unit, even when the first answer was lost.
- A unit is taken by one conditional ``UPDATE ... WHERE left > 0``, in the transaction that
  writes the reservation: two concurrent requests can never both take the last one.
- Cancelling leaves a tombstone. A cancellation that arrives before its reservation (the
  saga gave up on a slow call that was still on its way) makes the late reservation fail,
  instead of selling a unit nobody will ever release.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from common.sqlite import create, read, write


class Refused(Exception):
    """The request cannot be granted, with the HTTP status that says why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Inventory:
    """``table`` holds the units left per ``key`` column value (``left`` column);
    reservations name it in their ``field`` column."""

    db: str
    table: str
    key: str
    left: str
    field: str

    def create(self, seed: dict[str, int]) -> None:
        create(
            self.db,
            f"""
                CREATE TABLE IF NOT EXISTS {self.table} (
                    {self.key} TEXT PRIMARY KEY,
                    {self.left} INTEGER NOT NULL CHECK ({self.left} >= 0)
                );
                CREATE TABLE IF NOT EXISTS reservations (
                    id TEXT PRIMARY KEY,
                    {self.field} TEXT NOT NULL,
                    booking_id TEXT NOT NULL,
                    created_at TEXT DEFAULT CURRENT_TIMESTAMP
                );
                CREATE TABLE IF NOT EXISTS cancelled_reservations (id TEXT PRIMARY KEY);
                """,
        )
        with write(self.db) as conn:
            conn.executemany(
                f"INSERT OR IGNORE INTO {self.table} ({self.key}, {self.left}) VALUES (?, ?)",
                seed.items(),
            )

    def units_left(self, name: str) -> int | None:
        row = read(self.db, f"SELECT {self.left} FROM {self.table} WHERE {self.key} = ?", (name,))
        return None if row is None else int(row[0])

    def reserve(self, reservation_id: str, name: str, booking_id: str) -> dict[str, Any]:
        with write(self.db) as conn:
            existing = conn.execute(
                f"SELECT {self.field}, booking_id FROM reservations WHERE id = ?",
                (reservation_id,),
            ).fetchone()
            if existing is not None:
                return self._again(existing, reservation_id, name, booking_id)
            if self._cancelled(conn, reservation_id):
                raise Refused(409, f"reservation {reservation_id} was cancelled")
            taken = conn.execute(
                f"UPDATE {self.table} SET {self.left} = {self.left} - 1 "
                f"WHERE {self.key} = ? AND {self.left} > 0 RETURNING {self.left}",
                (name,),
            ).fetchone()
            if taken is None:
                raise self._why_not(conn, name)
            conn.execute(
                f"INSERT INTO reservations (id, {self.field}, booking_id) VALUES (?, ?, ?)",
                (reservation_id, name, booking_id),
            )
        return {"id": reservation_id, self.field: name, self.left: taken[0]}

    def cancel(self, reservation_id: str) -> dict[str, Any]:
        """Release the reservation's unit, if it holds one; either way no reservation can
        take this id any more. Cancelling twice, or something never reserved, is fine."""
        with write(self.db) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO cancelled_reservations (id) VALUES (?)", (reservation_id,)
            )
            released = conn.execute(
                f"DELETE FROM reservations WHERE id = ? RETURNING {self.field}", (reservation_id,)
            ).fetchone()
            if released is not None:
                conn.execute(
                    f"UPDATE {self.table} SET {self.left} = {self.left} + 1 WHERE {self.key} = ?",
                    (released[0],),
                )
        return {"id": reservation_id, "status": "cancelled"}

    def _again(
        self, existing: sqlite3.Row, reservation_id: str, name: str, booking_id: str
    ) -> dict[str, Any]:
        if (existing[0], existing[1]) != (name, booking_id):
            raise Refused(422, f"reservation {reservation_id} exists for another request")
        return {"id": reservation_id, self.field: name, "replayed": True}

    @staticmethod
    def _cancelled(conn: sqlite3.Connection, reservation_id: str) -> bool:
        found = conn.execute(
            "SELECT 1 FROM cancelled_reservations WHERE id = ?", (reservation_id,)
        ).fetchone()
        return found is not None

    def _why_not(self, conn: sqlite3.Connection, name: str) -> Refused:
        known = conn.execute(f"SELECT 1 FROM {self.table} WHERE {self.key} = ?", (name,)).fetchone()
        if known is None:
            return Refused(404, f"no {self.field} {name!r}")
        return Refused(409, f"{self.field} {name!r} is sold out")
