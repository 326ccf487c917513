"""Consumer-side deduplication: the other half of at-least-once delivery.

The relay may deliver an event twice (a relay died after delivering, before marking). A
consumer makes that harmless by recording each event id it processed in the same
transaction as the processing's effect: both commit, or neither does, so a redelivery finds
the id and is skipped, and a processing that failed leaves no mark and runs again."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable
from functools import partial

from stormproof.kit._checks import age, check
from stormproof.kit.outbox import _sql
from stormproof.kit.outbox._sql import Connection

TABLE = "stormproof_processed_events"
# These types mean the same to SQLite and Postgres (DOUBLE PRECISION is REAL to SQLite).
_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {TABLE}"
    " (event_id TEXT PRIMARY KEY, processed_at DOUBLE PRECISION NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_age ON {TABLE} (processed_at)",
)
# Insert-or-ignore; RETURNING says which, on both databases. On Postgres a concurrent
# transaction that inserted the same id makes this one wait for its outcome: it then
# returns nothing if that one committed, the row if it rolled back.
_MARK = (
    f"INSERT INTO {TABLE} (event_id, processed_at) VALUES (?, ?)"
    " ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
)
_PURGE = f"DELETE FROM {TABLE} WHERE processed_at < ?"


class Deduplicator:
    """Records which events a consumer has processed, in the consumer's own database.

    ``database`` is that database: the path of an SQLite file, or a function returning a new
    connection (sqlite3, or psycopg for Postgres). It is used to create the table
    (``stormproof_processed_events``) now and by :meth:`purge`; :meth:`first_time` runs on the
    connection of the consumer's transaction. ``clock`` (wall-clock seconds) stamps each id
    for :meth:`purge`::

        with conn:
            if dedup.first_time(conn, event.id):
                apply(conn, event)          # the effect, once however often it arrives
    """

    def __init__(
        self,
        database: str | os.PathLike[str] | Callable[[], Connection],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if callable(database):
            self._connect = database
        else:
            check(
                "database",
                database,
                isinstance(database, str | os.PathLike)
                and os.fspath(database) not in ("", ":memory:"),
                "an SQLite file's path or a function returning a connection",
            )
            self._connect = partial(sqlite3.connect, os.fspath(database))
        check("clock", clock, callable(clock), "a callable returning wall-clock seconds")
        self._clock = clock
        with contextlib.closing(self._connect()) as conn:
            _sql.create_tables(conn, TABLE, _SCHEMA)

    def first_time(self, conn: Connection, event_id: str) -> bool:
        """Mark ``event_id`` processed in the transaction open on ``conn``: True if it was
        not marked before (process the event, in that same transaction), False if it was
        (skip it). The mark commits or rolls back with the caller's transaction.

        ``event_id`` is :attr:`Event.id <stormproof.kit.outbox.Event.id>`, unique across
        producers; never ``Event.seq``, which every outbox numbers from 1."""
        if not isinstance(event_id, str) or not event_id:
            raise TypeError(f"event_id must be a non-empty string (Event.id), not {event_id!r}")
        _sql.require_transaction(conn, "Deduplicator.first_time")
        return _sql.execute(conn, _MARK, (event_id, self._clock())).fetchone() is not None

    def purge(self, older_than: float) -> int:
        """Forget the ids processed more than ``older_than`` seconds ago; return how many.

        An event redelivered after its id is forgotten is processed again, so keep ids well
        past the longest redelivery delay: a relay's lease plus its ``backoff_max``, and any
        outage of the consumer itself; days, not minutes."""
        cutoff = self._clock() - age(older_than)
        with contextlib.closing(self._connect()) as conn:
            purged = int(_sql.execute(conn, _PURGE, (cutoff,)).rowcount)
            conn.commit()
        return purged
