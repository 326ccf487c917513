"""SQLite as every service here uses it: WAL (readers never wait for the writer, so the chaos
workload can read a live database), a busy timeout instead of "database is locked", and
write transactions that take the write lock before they read, so that a check and the
write it guards cannot be split by another request."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager

BUSY_TIMEOUT_S = 10.0


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


@contextmanager
def write(path: str) -> Iterator[sqlite3.Connection]:
    """One write transaction (``BEGIN IMMEDIATE``): committed when the block ends, rolled back
    when it raises."""
    with closing(connect(path)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def create(path: str, schema: str) -> None:
    """Run ``schema`` (``CREATE TABLE IF NOT EXISTS`` statements: each commits on its own)."""
    with closing(connect(path)) as conn:
        conn.executescript(schema)


def read(path: str, query: str, parameters: tuple[object, ...] = ()) -> sqlite3.Row | None:
    with closing(connect(path)) as conn:
        row: sqlite3.Row | None = conn.execute(query, parameters).fetchone()
        return row
