"""The outbox in PostgreSQL, through psycopg 3 (``pip install 'stormproof[postgres]'``)."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from typing import Any

from stormproof.kit._checks import check, is_count, is_seconds
from stormproof.kit._postgres import Database, Pool
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
    """An outbox in a PostgreSQL database, which must be the database the service changes, so
    that ``add`` can join its transactions (on a psycopg connection). ``database`` is a libpq
    connection string (``postgresql://...`` or ``key=value ...``) or a function returning a
    new psycopg connection. The table is created now if it is missing: a wrong address or a
    missing right fails at startup, not in the relay.

    The relay's statements (claims, and the marks of each delivery) run on a pool of up to
    ``max_connections`` connections that the threads of a process share, opened when first
    needed and replaced when broken or inherited across a fork: relays in threads claim side
    by side, and one held up on the server holds up no other. A call that finds every
    connection in use waits for one as long as it takes, as a call waits for its statement:
    neither is bounded here, so put ``options='-c statement_timeout=...'`` in the connection
    string to bound both. ``connect_timeout`` bounds each connection attempt."""

    def __init__(
        self,
        database: str | Callable[[], Any],
        *,
        max_connections: int = 4,
        connect_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        check("max_connections", max_connections, is_count(max_connections), "an int >= 1")
        check(
            "connect_timeout",
            connect_timeout,
            is_seconds(connect_timeout),
            "a number of seconds > 0",
        )
        self._database = Database(
            database, needed_by="PostgresOutbox", connect_timeout=connect_timeout
        )
        self._pool = Pool(
            functools.partial(self._database.connect, autocommit=True),
            size=max_connections,
            wait=None,
        )
        with contextlib.closing(self._database.connect(autocommit=False)) as conn:
            _sql.create_tables(conn, TABLE, _SCHEMA)

    def __repr__(self) -> str:
        return f"PostgresOutbox({self._database.where!r})"

    def claim(self, owner: str, *, now: float, until: float, limit: int) -> list[Event]:
        with self._pool.connection() as conn:
            rows = conn.execute(_CLAIM, (now, limit, owner, until)).fetchall()
        return sorted(map(decode, rows), key=lambda event: event.seq)  # RETURNING is unordered

    def close(self) -> None:
        self._pool.close()

    def _connection(self) -> contextlib.AbstractContextManager[Any]:
        return self._pool.connection()
