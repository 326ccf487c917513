"""Where idempotency records live: the protocol every store follows, and the SQLite store.

A record is one key's state: *in progress* (a request holds the key and its handler runs) or
*complete* (the response to replay). Every record carries a deadline, ``expires_at``, and a
record whose deadline has passed is treated as absent. For a complete record the deadline is
the end of its time to live; for an in-progress record it is the end of its lock, so that a
key whose first request died with its process is taken over once the lock times out, by the
same rule that expires old answers.

Each lock carries a random owner token. Completing or releasing a key takes the token, and
does nothing when another request took the key over meanwhile (a handler slower than the lock
timeout): the slow request can neither overwrite the answer of the request that took over nor
drop its lock."""

from __future__ import annotations

import contextlib
import enum
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from stormproof.kit.errors import ConfigurationError

TABLE = "stormproof_idempotency"
# Expired records are purged lazily: each begin() deletes up to this many of them, more than
# the one row it may add, so that a table nobody purges still stays bounded.
PURGE_BATCH = 16


class Outcome(enum.Enum):
    """What :meth:`IdempotencyStore.begin` found."""

    STARTED = "started"
    """The key was absent (or expired): it is now locked for the caller, who runs the handler."""
    REPLAY = "replay"
    """The key holds a complete response to the same request: replay it."""
    IN_PROGRESS = "in_progress"
    """Another request with the same key and payload holds the lock: answer 409."""
    MISMATCH = "mismatch"
    """The key was used for a different request (another fingerprint): answer 422."""


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A response as it is replayed: status, ASGI headers (lower-case names) and body bytes."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


@dataclass(frozen=True, slots=True)
class Begin:
    """The outcome of :meth:`IdempotencyStore.begin`, with the lock's owner ``token`` when
    it is STARTED and the stored ``response`` when it is REPLAY."""

    outcome: Outcome
    token: str | None = None
    response: StoredResponse | None = None


@runtime_checkable
class IdempotencyStore(Protocol):
    """What the middleware needs of a store. Calls are synchronous; the middleware runs them
    in a worker thread, so a store may block on its database.

    A Postgres or Redis store must keep these guarantees:

    - ``begin`` is one atomic step: of any number of concurrent calls for a key that is absent
      or expired, exactly one returns STARTED. Postgres: ``INSERT … ON CONFLICT (key) DO
      UPDATE … WHERE expires_at <= now RETURNING``, or a row lock in one transaction. Redis: a
      Lua script (a ``SET NX`` alone cannot take over an expired lock and report a mismatch).
    - A record whose ``expires_at`` is at or before ``now`` is absent to ``begin``.
    - ``complete`` and ``release`` act only while the record is in progress and still owned
      by ``token``, and say whether they did.
    - Times are wall-clock seconds (``time.time()``), comparable between processes and hosts.
    """

    def begin(self, key: str, fingerprint: str, *, now: float, lock_until: float) -> Begin:
        """Look the key up and, if it is absent or expired, lock it until ``lock_until``."""
        ...

    def complete(
        self, key: str, token: str, response: StoredResponse, *, expires_at: float
    ) -> bool:
        """Store the response to replay until ``expires_at``; False if ``token`` lost the key."""
        ...

    def release(self, key: str, token: str) -> bool:
        """Drop the lock so that a retry runs again; False if ``token`` lost the key."""
        ...

    def purge_expired(self, now: float) -> int:
        """Delete every record expired at ``now``; return how many."""
        ...


def new_token() -> str:
    """A lock's owner token: random, so that no other request can guess or share it."""
    return secrets.token_hex(16)


def existing(
    fingerprint: str,
    stored_fingerprint: str,
    status: int | None,
    headers: str | None,
    body: bytes | None,
) -> Begin:
    """What ``begin`` answers for a live record, as a store reads it back: its fingerprint,
    its status (None while in progress), and for a complete one its headers (as
    :func:`encode_headers` wrote them) and body."""
    if stored_fingerprint != fingerprint:
        return Begin(Outcome.MISMATCH)
    if status is None:
        return Begin(Outcome.IN_PROGRESS)
    assert headers is not None and body is not None, "a complete record has both"
    return Begin(Outcome.REPLAY, response=StoredResponse(status, decode_headers(headers), body))


def encode_headers(headers: tuple[tuple[bytes, bytes], ...]) -> str:
    """ASGI headers as JSON text: each byte as the code point of the same value (latin-1),
    escaped to ASCII by ``json``, so that any byte survives a text column or a Redis string,
    and the order and repeats of the headers are kept."""
    return json.dumps([[n.decode("latin-1"), v.decode("latin-1")] for n, v in headers])


def decode_headers(text: str) -> tuple[tuple[bytes, bytes], ...]:
    """The inverse of :func:`encode_headers`."""
    return tuple((n.encode("latin-1"), v.encode("latin-1")) for n, v in json.loads(text))


class SqliteIdempotencyStore:
    """The default store: one table in an SQLite file, which may be the service's own
    database (the table is named ``stormproof_idempotency``).

    Safe across threads and processes: the file is put in WAL mode, every call opens its own
    connection, and ``begin`` runs in a ``BEGIN IMMEDIATE`` transaction, which takes SQLite's
    write lock before it reads, so two processes cannot both find a key absent. A call waits
    up to ``busy_timeout`` seconds for another writer, then raises ``sqlite3.OperationalError``.

    ``":memory:"`` keeps the records in one connection shared, under a lock, by the threads of
    this process: it suits tests and a single-process service, never several processes (each
    would have its own, empty database)."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 5.0) -> None:
        self._path = os.fspath(path)
        if not self._path:
            raise ConfigurationError("path must name an SQLite file or be ':memory:', not ''")
        if not busy_timeout > 0:
            raise ConfigurationError(f"busy_timeout must be > 0 seconds, not {busy_timeout!r}")
        self._busy_timeout = busy_timeout
        self._lock = threading.Lock()
        self._shared = self._connect() if self._path == ":memory:" else None
        with self._connection() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (key TEXT PRIMARY KEY,"
                " fingerprint TEXT NOT NULL, token TEXT NOT NULL, expires_at REAL NOT NULL,"
                " status INTEGER, headers TEXT, body BLOB)"  # status NULL: in progress
            )
            db.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_expiry ON {TABLE} (expires_at)")

    def __repr__(self) -> str:
        return f"SqliteIdempotencyStore({self._path!r})"

    def begin(self, key: str, fingerprint: str, *, now: float, lock_until: float) -> Begin:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                begun = self._begin(db, key, fingerprint, now, lock_until)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        return begun

    def complete(
        self, key: str, token: str, response: StoredResponse, *, expires_at: float
    ) -> bool:
        headers = encode_headers(response.headers)
        return self._write(
            f"UPDATE {TABLE} SET status = ?, headers = ?, body = ?, expires_at = ?"
            " WHERE key = ? AND token = ? AND status IS NULL",
            (response.status, headers, response.body, expires_at, key, token),
        )

    def release(self, key: str, token: str) -> bool:
        return self._write(
            f"DELETE FROM {TABLE} WHERE key = ? AND token = ? AND status IS NULL", (key, token)
        )

    def purge_expired(self, now: float) -> int:
        with self._connection() as db:
            return db.execute(f"DELETE FROM {TABLE} WHERE expires_at <= ?", (now,)).rowcount

    @staticmethod
    def _begin(
        db: sqlite3.Connection, key: str, fingerprint: str, now: float, lock_until: float
    ) -> Begin:
        row = db.execute(
            f"SELECT fingerprint, status, headers, body FROM {TABLE}"
            " WHERE key = ? AND expires_at > ?",
            (key, now),
        ).fetchone()
        if row is not None:
            return existing(fingerprint, *row)
        token = new_token()
        db.execute(
            f"INSERT OR REPLACE INTO {TABLE} (key, fingerprint, token, expires_at)"
            " VALUES (?, ?, ?, ?)",
            (key, fingerprint, token, lock_until),
        )
        db.execute(
            f"DELETE FROM {TABLE} WHERE key IN"
            f" (SELECT key FROM {TABLE} WHERE expires_at <= ? LIMIT {PURGE_BATCH})",
            (now,),
        )
        return Begin(Outcome.STARTED, token=token)

    def _write(self, statement: str, parameters: tuple[object, ...]) -> bool:
        """One statement, atomic on its own (autocommit); whether it changed a row."""
        with self._connection() as db:
            return db.execute(statement, parameters).rowcount == 1

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: autocommit, so that transactions are exactly the explicit
        # BEGIN IMMEDIATE ones; check_same_thread=False for the shared in-memory connection,
        # which the lock serialises.
        return sqlite3.connect(
            self._path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection per call for a file (nothing to share between threads, nothing
        inherited across fork); the one in-memory connection, held under the lock, otherwise."""
        if self._shared is not None:
            with self._lock:
                yield self._shared
            return
        db = self._connect()
        try:
            yield db
        finally:
            db.close()
