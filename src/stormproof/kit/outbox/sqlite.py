"""The outbox in an SQLite file: the service's own database."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator

from stormproof.kit._checks import check, is_seconds
from stormproof.kit.outbox import _sql
from stormproof.kit.outbox.event import Event, decode
from stormproof.kit.outbox.store import COLUMNS, HEAD_OF_KEY, TABLE, Outbox, schema

# INTEGER PRIMARY KEY: the rowid, numbered past the largest (never reused for a pending event).
_SCHEMA = schema({"seq": "INTEGER PRIMARY KEY", "payload": "TEXT", "time": "REAL"})

_CLAIM = f"""UPDATE {TABLE} SET lease_owner = ?, lease_until = ?
WHERE seq IN (
    SELECT e.seq FROM {TABLE} AS e
    WHERE e.delivered_at IS NULL AND e.lease_until <= ? AND {HEAD_OF_KEY}
    ORDER BY e.seq LIMIT ?)
RETURNING {COLUMNS}"""


class SqliteOutbox(Outbox):
    """An outbox in the SQLite file at ``path``, which must be the database the service
    changes, so that ``add`` can join its transactions.

    Claims run in a ``BEGIN IMMEDIATE`` transaction, which takes SQLite's write lock before
    it reads: two relays, in threads or processes, cannot both find an event free. The file
    is put in WAL mode, so that the relay's short writes and the service's transactions wait
    on each other as little as SQLite allows; a call waits up to ``busy_timeout`` seconds for
    another writer, then raises ``sqlite3.OperationalError``."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        self._path = os.fspath(path)
        check(
            "path",
            path,
            self._path not in ("", ":memory:"),
            "the service's SQLite database file (':memory:' would be a database of its own)",
        )
        check("busy_timeout", busy_timeout, is_seconds(busy_timeout), "a number of seconds > 0")
        self._busy_timeout = busy_timeout
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            _sql.create_tables(conn, TABLE, _SCHEMA)

    def __repr__(self) -> str:
        return f"SqliteOutbox({self._path!r})"

    def claim(self, owner: str, *, now: float, until: float, limit: int) -> list[Event]:
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                rows = conn.execute(_CLAIM, (owner, until, now, limit)).fetchall()
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return sorted(map(decode, rows), key=lambda event: event.seq)  # RETURNING is unordered

    def close(self) -> None:
        pass  # nothing held: a connection per call

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        # A fresh connection per call: cheap for SQLite, nothing shared between threads,
        # nothing inherited across fork. isolation_level=None: autocommit, so that the only
        # transactions are the explicit ones.
        conn = sqlite3.connect(self._path, timeout=self._busy_timeout, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()
