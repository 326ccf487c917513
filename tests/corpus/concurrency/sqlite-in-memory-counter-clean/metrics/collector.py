"""Aggregates request timings read from SQLite into process-local counters."""

import sqlite3
from collections import Counter


class Collector:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path)
        self.by_route: Counter[str] = Counter()
        self.total_ms = 0

    def ingest(self, since: float) -> None:
        rows = self.conn.execute(
            "SELECT route, duration_ms FROM requests WHERE ts > ?", (since,)
        ).fetchall()
        for route, duration in rows:
            self.by_route[route] += 1
            self.total_ms += duration

    def mean_ms(self) -> float:
        count = sum(self.by_route.values())
        return self.total_ms / count if count else 0.0
