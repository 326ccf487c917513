"""Mark expired reservations: the row id comes from the SELECT, the new value does not."""

import sqlite3
import time


class ReservationSweeper:
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)

    def expire_stale(self, older_than_s: int = 900) -> int:
        cutoff = time.time() - older_than_s
        rows = self.db.execute(
            "SELECT id FROM reservations WHERE status = 'held' AND created_at < ?", (cutoff,)
        ).fetchall()
        for (reservation_id,) in rows:
            self.db.execute(
                "UPDATE reservations SET status = ? WHERE id = ?", ("expired", reservation_id)
            )
        self.db.commit()
        return len(rows)

    def touch(self, reservation_id: str) -> None:
        row = self.db.execute(
            "SELECT id FROM reservations WHERE id = ?", (reservation_id,)
        ).fetchone()
        if row:
            self.db.execute(
                "UPDATE reservations SET updated_at = ? WHERE id = ?", (time.time(), row[0])
            )
            self.db.commit()
