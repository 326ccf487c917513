"""Idempotency records in PostgreSQL (``pip install 'stormproof[postgres]'``), for a service
whose instances share one database: the SQLite store's table and rules, with ``begin`` as one
statement that PostgreSQL makes atomic."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from stormproof.kit._checks import check, is_count, is_seconds
from stormproof.kit._postgres import Database, Pool, table_name
from stormproof.kit.idempotency.store import (
    PURGE_BATCH,
    TABLE,
    Begin,
    Outcome,
    StoredResponse,
    encode_headers,
    existing,
    new_token,
)
from stormproof.kit.outbox._sql import create_tables

_INDEX_SUFFIX = "_expiry"

# What an expired record's columns become when begin takes its key over; a live record keeps
# its own. Every column is assigned either way (a CASE each), because ON CONFLICT DO UPDATE
# returns nothing for a row its WHERE skips: reading a live record back would then take a
# second statement, and the record could change between the two.
_TAKEN = {
    "fingerprint": "EXCLUDED.fingerprint",
    "token": "EXCLUDED.token",
    "expires_at": "EXCLUDED.expires_at",
    "status": "NULL",
    "headers": "NULL",
    "body": "NULL",
}


def _statements(table: str, index: str) -> dict[str, str]:
    """The store's SQL for one (checked, quoted) table name."""
    assignments = ",\n    ".join(
        f"{column} = CASE WHEN r.expires_at <= %(now)s THEN {value} ELSE r.{column} END"
        for column, value in _TAKEN.items()
    )
    return {
        "create": (
            f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY,"
            " fingerprint TEXT NOT NULL, token TEXT NOT NULL,"
            " expires_at DOUBLE PRECISION NOT NULL,"
            " status INTEGER, headers TEXT, body BYTEA)"  # status NULL: in progress
        ),
        "index": f'CREATE INDEX IF NOT EXISTS "{index}" ON {table} (expires_at)',
        # The upsert locks the key's row (or inserts it) and, if the record expired, replaces
        # it with this lock: the token it returns says which. Concurrent begins on one key
        # queue on that row lock, and each sees the row as the one before left it.
        #
        # The purge rides along: a few expired rows of other keys, skipping those that
        # another transaction holds (a concurrent begin taking one over) instead of waiting.
        "begin": f"""WITH purged AS (
    DELETE FROM {table} WHERE key IN (
        SELECT key FROM {table} WHERE expires_at <= %(now)s AND key <> %(key)s
        LIMIT {PURGE_BATCH} FOR UPDATE SKIP LOCKED))
INSERT INTO {table} AS r (key, fingerprint, token, expires_at)
VALUES (%(key)s, %(fingerprint)s, %(token)s, %(lock_until)s)
ON CONFLICT (key) DO UPDATE SET
    {assignments}
RETURNING r.token, r.fingerprint, r.status, r.headers, r.body""",
        "complete": (
            f"UPDATE {table} SET status = %s, headers = %s, body = %s, expires_at = %s"
            " WHERE key = %s AND token = %s AND status IS NULL"
        ),
        "release": f"DELETE FROM {table} WHERE key = %s AND token = %s AND status IS NULL",
        "purge": f"DELETE FROM {table} WHERE expires_at <= %s",
    }


class PostgresIdempotencyStore:
    """Idempotency records in one PostgreSQL table, shared by every instance of a service.

    ``database`` is a libpq connection string (``postgresql://...`` or ``key=value ...``) or
    a function returning a new psycopg connection. The table, ``stormproof_idempotency``
    unless ``table`` names another (``name`` or ``schema.name``, lower case), is created now
    if it is missing: a wrong address or a missing right fails at startup, not on the first
    request.

    The middleware's worker threads share a pool of up to ``max_connections`` connections,
    opened when first needed and replaced when broken: a call holds one for its single
    statement, and waits for a free one at most ``connect_timeout + statement_timeout``
    seconds, as long as a call may hold one (then raises TimeoutError).
    ``statement_timeout`` bounds each statement on the server, waiting for another request's
    row lock included (it raises ``psycopg.errors.QueryCanceled``). A server that stops
    answering without closing the connection is only noticed by TCP: put libpq's
    ``keepalives_idle`` or ``tcp_user_timeout`` in the connection string to bound that.

    Errors from the database (``psycopg.OperationalError`` for a server that is down) reach
    the caller unchanged, and the middleware lets them through: a request whose ``begin``
    failed gets a 500 and runs nothing; one whose answer could not be stored is cut off,
    never answered as if it were. Times are the caller's (the middleware's clock), as for the
    SQLite store, never the server's."""

    def __init__(
        self,
        database: str | Callable[[], Any],
        *,
        table: str = TABLE,
        max_connections: int = 4,
        connect_timeout: float = 10.0,
        statement_timeout: float = 5.0,
    ) -> None:
        quoted, bare = table_name("table", table, suffix=_INDEX_SUFFIX)
        check("max_connections", max_connections, is_count(max_connections), "an int >= 1")
        for setting, seconds in (
            ("connect_timeout", connect_timeout),
            ("statement_timeout", statement_timeout),
        ):
            check(setting, seconds, is_seconds(seconds), "a number of seconds > 0")
        self._database = Database(
            database, needed_by="PostgresIdempotencyStore", connect_timeout=connect_timeout
        )
        self._table = table
        self._sql = _statements(quoted, bare + _INDEX_SUFFIX)
        self._statement_timeout_ms = max(1, round(statement_timeout * 1000))
        self._pool = Pool(
            self._connect, size=max_connections, wait=connect_timeout + statement_timeout
        )
        # Under an advisory lock: two instances starting at once must not both create it.
        with contextlib.closing(self._database.connect(autocommit=False)) as conn:
            create_tables(conn, quoted, (self._sql["create"], self._sql["index"]))

    def __repr__(self) -> str:
        return f"PostgresIdempotencyStore({self._database.where!r}, table={self._table!r})"

    def begin(self, key: str, fingerprint: str, *, now: float, lock_until: float) -> Begin:
        token = new_token()
        parameters = {
            "key": key,
            "fingerprint": fingerprint,
            "token": token,
            "now": float(now),
            "lock_until": float(lock_until),
        }
        with self._pool.connection() as conn:
            owner, *record = conn.execute(self._sql["begin"], parameters).fetchone()
        if owner == token:
            return Begin(Outcome.STARTED, token=token)
        return existing(fingerprint, *record)

    def complete(
        self, key: str, token: str, response: StoredResponse, *, expires_at: float
    ) -> bool:
        headers = encode_headers(response.headers)
        return self._write(
            "complete",
            (response.status, headers, response.body, float(expires_at), key, token),
        )

    def release(self, key: str, token: str) -> bool:
        return self._write("release", (key, token))

    def purge_expired(self, now: float) -> int:
        with self._pool.connection() as conn:
            return int(conn.execute(self._sql["purge"], (float(now),)).rowcount)

    def close(self) -> None:
        """Close the connections not in use; a later call opens new ones."""
        self._pool.close()

    def _write(self, statement: str, parameters: tuple[object, ...]) -> bool:
        """One statement, atomic on its own (autocommit); whether it changed a row."""
        with self._pool.connection() as conn:
            return bool(conn.execute(self._sql[statement], parameters).rowcount == 1)

    def _connect(self) -> Any:
        conn = self._database.connect(autocommit=True)
        try:
            conn.execute(
                "SELECT set_config('statement_timeout', %s, false)",
                (str(self._statement_timeout_ms),),
            )
        except BaseException:
            conn.close()
            raise
        return conn
