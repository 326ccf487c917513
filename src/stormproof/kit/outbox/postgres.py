"""The outbox in PostgreSQL, through psycopg 3 (``pip install 'stormproof[postgres]'``)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from stormproof.kit._checks import check, is_seconds
from stormproof.kit._optional import require
from stormproof.kit.errors import ConfigurationError
from stormproof.kit.outbox import _sql
from stormproof.kit.outbox.event import Event, decode
from stormproof.kit.outbox.store import HEAD_OF_KEY, TABLE, Outbox, schema

_SCHEMA = schema(
    {
        "seq": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "payload": "JSONB",
        "time": "DOUBLE PRECISION",
    }
)

# FOR UPDATE SKIP LOCKED: relays claim side by side, each passing over the rows another is
# claiming instead of queueing behind it. A row that another relay leased since this
# statement's snapshot is locked or re-checked (lease_until), never taken twice.
_CLAIM = f"""WITH claimable AS (
    SELECT e.seq FROM {TABLE} AS e
    WHERE e.delivered_at IS NULL AND e.lease_until <= %s AND {HEAD_OF_KEY}
    ORDER BY e.seq LIMIT %s
    FOR UPDATE SKIP LOCKED)
UPDATE {TABLE} AS o SET lease_owner = %s, lease_until = %s
FROM claimable WHERE o.seq = claimable.seq
RETURNING o.seq, o.id, o.topic, o.key, o.payload::text, o.created_at, o.attempts"""
"""Returns :data:`~.store.COLUMNS`, with the JSONB payload as text for :func:`~.event.decode`."""


class PostgresOutbox(Outbox):
    """An outbox in the PostgreSQL database at ``conninfo`` (a ``postgresql://`` URL or a
    ``key=value`` string), which must be the database the service changes, so that ``add``
    can join its transactions (on a psycopg connection).

    The relay's statements share one connection per outbox, opened on first use, serialised
    by a lock, and opened anew after a fork or a broken connection. ``connect_timeout`` bounds
    each connection attempt."""

    def __init__(
        self,
        conninfo: str,
        *,
        connect_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        psycopg = require("psycopg", extra="postgres", needed_by="PostgresOutbox")
        check("conninfo", conninfo, isinstance(conninfo, str), "a libpq connection string")
        try:
            parts = psycopg.conninfo.conninfo_to_dict(conninfo)
        except psycopg.ProgrammingError as exc:
            raise ConfigurationError(f"conninfo is not a libpq connection string: {exc}") from exc
        check(
            "connect_timeout",
            connect_timeout,
            is_seconds(connect_timeout),
            "a number of seconds > 0",
        )
        self._psycopg = psycopg
        self._conninfo = conninfo
        # Where it points, for repr: never the password the string may hold.
        self._where = " ".join(
            f"{name}={parts[name]}" for name in ("host", "port", "dbname") if name in parts
        )
        # libpq takes whole seconds, and 0 would mean no timeout at all.
        self._connect_timeout = max(1, round(connect_timeout))
        self._lock = threading.Lock()
        self._conn: Any = None
        self._pid = 0
        with contextlib.closing(self._connect(autocommit=False)) as conn:
            _sql.create_tables(conn, TABLE, _SCHEMA)

    def __repr__(self) -> str:
        return f"PostgresOutbox({self._where!r})"

    def claim(self, owner: str, *, now: float, until: float, limit: int) -> list[Event]:
        with self._connection() as conn:
            rows = conn.execute(_CLAIM, (now, limit, owner, until)).fetchall()
        return sorted(map(decode, rows), key=lambda event: event.seq)  # RETURNING is unordered

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connect(self, *, autocommit: bool) -> Any:
        return self._psycopg.connect(
            self._conninfo, autocommit=autocommit, connect_timeout=self._connect_timeout
        )

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        with self._lock:
            # A connection inherited across fork shares its socket with the parent: never use
            # one; and a connection broken by a failed statement or a restart is replaced.
            if self._conn is None or self._conn.closed or self._pid != os.getpid():
                self._conn = self._connect(autocommit=True)
                self._pid = os.getpid()
            try:
                yield self._conn
            except self._psycopg.OperationalError:
                self._conn.close()
                self._conn = None
                raise
