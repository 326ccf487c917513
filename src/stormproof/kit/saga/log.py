"""The saga log: every saga's input and every transition, in SQLite, committed before the code
that depends on it runs. It is what makes a saga survive its coordinator: whatever the process
was doing when it died, the log says which steps began, which completed and with what result,
and which compensations are done.

Two tables, which may live in the service's own database: ``stormproof_sagas`` (one row per
saga: its definition's name and step names, its input, its status, and the lease of the
coordinator running it) and ``stormproof_saga_events`` (the transitions, numbered per saga).

Safe across threads and processes: the file is put in WAL mode, every call opens its own
connection, and every write is one ``BEGIN IMMEDIATE`` transaction, which takes SQLite's write
lock before it reads, so two coordinators cannot both claim a saga, or both append after the
same event. A write that waits more than ``busy_timeout`` seconds for another writer raises
``sqlite3.OperationalError``.

A coordinator runs a saga under a *lease*: the saga row names its ``owner`` and the time the
claim lapses unless renewed. Every append checks that the caller still owns the saga and that
the saga is in the state the caller believes, so a coordinator that lost its saga to another
(its lease ran out while it stalled) fails on its next write instead of corrupting the log."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from stormproof.kit.errors import ConfigurationError
from stormproof.kit.saga.errors import SagaConflictError, SagaInProgressError
from stormproof.kit.saga.state import (
    FINAL,
    STATUS_AFTER,
    EventKind,
    SagaEvent,
    SagaResult,
    SagaStatus,
    encode,
)

SAGAS = "stormproof_sagas"
EVENTS = "stormproof_saga_events"

NewEvent = tuple[EventKind, str | None, str | None]
"""An event to append: its kind, its step (or None) and its data as JSON text (or None)."""


@dataclass(frozen=True, slots=True)
class Pending:
    """An unfinished saga, as :meth:`SagaLog.unfinished` lists it."""

    saga_id: str
    name: str
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Claim:
    """What :meth:`SagaLog.claim` found: the saga as logged, its step names, and whether the
    caller now owns it (False: it is final, or another coordinator's lease holds it)."""

    owned: bool
    saga: SagaResult
    steps: tuple[str, ...]


class SagaLog:
    """The durable record of sagas: ``SagaLog("data/sagas.db")``, or, to keep it in the
    service's own database, ``SagaLog(connect=open_db)`` where ``open_db()`` returns a new
    ``sqlite3.Connection`` each call (the log closes it after use; it must not be in
    Python 3.12's ``autocommit=False`` mode, as the log runs its own transactions).

    ``":memory:"`` is refused: a saga log that dies with the process protects nothing."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        connect: Callable[[], sqlite3.Connection] | None = None,
        busy_timeout: float = 5.0,
    ) -> None:
        if (path is None) == (connect is None):
            raise ConfigurationError("give SagaLog either a path or connect=, not both or neither")
        if not busy_timeout > 0:
            raise ConfigurationError(f"busy_timeout must be > 0 seconds, not {busy_timeout!r}")
        if path is not None:
            file = os.fspath(path)
            if file in ("", ":memory:") or file.startswith("file::memory:"):
                raise ConfigurationError(
                    f"path must name an SQLite file, not {file!r}: an in-memory saga log "
                    "would lose every saga with the process"
                )
            self._describe = repr(file)
            connect = self._file_connector(file, busy_timeout)
        else:
            if not callable(connect):
                raise ConfigurationError(f"connect must be callable, not {connect!r}")
            self._describe = "connect=…"
        self._connect: Callable[[], sqlite3.Connection] = connect  # type: ignore[assignment]
        with self._connection() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {SAGAS} (saga_id TEXT PRIMARY KEY,"
                " name TEXT NOT NULL, steps TEXT NOT NULL, input TEXT NOT NULL,"
                " status TEXT NOT NULL, owner TEXT NOT NULL, lease_until REAL NOT NULL,"
                " created_at REAL NOT NULL, updated_at REAL NOT NULL)"
            )
            db.execute(f"CREATE INDEX IF NOT EXISTS {SAGAS}_status ON {SAGAS} (status, created_at)")
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {EVENTS} (saga_id TEXT NOT NULL,"
                " seq INTEGER NOT NULL, kind TEXT NOT NULL, step TEXT, data TEXT,"
                " at REAL NOT NULL, PRIMARY KEY (saga_id, seq))"
            )

    def __repr__(self) -> str:
        return f"SagaLog({self._describe})"

    def get(self, saga_id: str) -> SagaResult | None:
        """The saga as logged (finished or not), or None if the log has no such saga."""
        with self._connection() as db:
            row = db.execute(f"SELECT name, input FROM {SAGAS} WHERE saga_id = ?", (saga_id,))
            found = row.fetchone()
            if found is None:
                return None
            return SagaResult.from_events(
                saga_id, found[0], json.loads(found[1]), self._events(db, saga_id)
            )

    def unfinished(self) -> list[Pending]:
        """Every saga neither completed nor compensated, oldest first."""
        with self._connection() as db:
            rows = db.execute(
                f"SELECT saga_id, name, steps FROM {SAGAS}"
                " WHERE status NOT IN ('completed', 'compensated') ORDER BY created_at, saga_id"
            ).fetchall()
        return [Pending(saga_id, name, tuple(json.loads(steps))) for saga_id, name, steps in rows]

    def claim(
        self,
        saga_id: str,
        name: str,
        *,
        steps: Sequence[str],
        input_json: str | None,
        owner: str,
        now: float,
        lease_until: float,
    ) -> Claim:
        """Take the saga for ``owner`` until ``lease_until``, creating it (with ``input_json``)
        if the log has none; ``input_json=None`` resumes only. An unfinished saga is taken
        when ``owner`` already holds it or its lease has run out; a final one is returned as
        it is. Raises SagaConflictError when the saga exists under another name or input."""
        with self._transaction() as db:
            row = db.execute(
                f"SELECT name, steps, input, status, owner, lease_until FROM {SAGAS}"
                " WHERE saga_id = ?",
                (saga_id,),
            ).fetchone()
            if row is None:
                if input_json is None:
                    raise LookupError(f"the saga log has no saga {saga_id!r}")
                db.execute(
                    f"INSERT INTO {SAGAS} (saga_id, name, steps, input, status, owner,"
                    " lease_until, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        saga_id,
                        name,
                        encode(list(steps)),
                        input_json,
                        "running",
                        owner,
                        lease_until,
                        now,
                        now,
                    ),
                )
                self._insert(
                    db, saga_id, [(EventKind.STARTED, None, encode({"owner": owner}))], now
                )
                logged_steps, logged_input, owned = tuple(steps), input_json, True
            else:
                logged_name, logged_steps_json, logged_input, status, holder, held_until = row
                logged_steps = tuple(json.loads(logged_steps_json))
                if logged_name != name or (input_json is not None and input_json != logged_input):
                    raise SagaConflictError(
                        saga_id,
                        f"saga id {saga_id!r} is already used by saga {logged_name!r} with "
                        f"input {logged_input}; it cannot be started as {name!r} with input "
                        f"{input_json}",
                    )
                owned = status not in FINAL and (holder == owner or held_until <= now)
                if owned:
                    db.execute(
                        f"UPDATE {SAGAS} SET owner = ?, lease_until = ?, updated_at = ?"
                        " WHERE saga_id = ?",
                        (owner, lease_until, now, saga_id),
                    )
                    resumed = encode({"owner": owner, "previous_owner": holder})
                    self._insert(db, saga_id, [(EventKind.RESUMED, None, resumed)], now)
            saga = SagaResult.from_events(
                saga_id, name, json.loads(logged_input), self._events(db, saga_id)
            )
        return Claim(owned, saga, logged_steps)

    def append(
        self,
        saga_id: str,
        events: Sequence[NewEvent],
        *,
        owner: str,
        expect: SagaStatus,
        now: float,
        lease_until: float,
    ) -> list[SagaEvent]:
        """Commit ``events`` (in one transaction) and renew the lease, if ``owner`` still
        holds the saga and it is still ``expect``; else raise SagaInProgressError. An event
        that changes the status (COMPENSATING, COMPLETED, COMPENSATED) changes it here."""
        status = next(
            (STATUS_AFTER[kind] for kind, _, _ in reversed(events) if kind in STATUS_AFTER),
            expect,
        )
        with self._transaction() as db:
            updated = db.execute(
                f"UPDATE {SAGAS} SET status = ?, lease_until = ?, updated_at = ?"
                " WHERE saga_id = ? AND owner = ? AND status = ?",
                (status, lease_until, now, saga_id, owner, expect),
            ).rowcount
            if updated != 1:
                raise SagaInProgressError(
                    saga_id,
                    f"saga {saga_id!r} is no longer {expect} under {owner!r}: another "
                    "coordinator took it over (this one's lease ran out); leaving it to them",
                )
            return self._insert(db, saga_id, events, now)

    def renew(self, saga_ids: Sequence[str], *, owner: str, lease_until: float) -> None:
        """Extend ``owner``'s lease on those of ``saga_ids`` it still holds."""
        with self._connection() as db:
            db.execute(
                f"UPDATE {SAGAS} SET lease_until = ? WHERE owner = ?"
                " AND saga_id IN (SELECT value FROM json_each(?))",
                (lease_until, owner, encode(list(saga_ids))),
            )

    @staticmethod
    def _insert(
        db: sqlite3.Connection, saga_id: str, events: Sequence[NewEvent], now: float
    ) -> list[SagaEvent]:
        (last,) = db.execute(
            f"SELECT COALESCE(MAX(seq), 0) FROM {EVENTS} WHERE saga_id = ?", (saga_id,)
        ).fetchone()
        written = [
            SagaEvent(last + n, kind, step, None if data is None else json.loads(data), now)
            for n, (kind, step, data) in enumerate(events, start=1)
        ]
        db.executemany(
            f"INSERT INTO {EVENTS} (saga_id, seq, kind, step, data, at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (saga_id, event.seq, event.kind.value, event.step, data, now)
                for event, (_, _, data) in zip(written, events, strict=True)
            ],
        )
        return written

    @staticmethod
    def _events(db: sqlite3.Connection, saga_id: str) -> tuple[SagaEvent, ...]:
        rows = db.execute(
            f"SELECT seq, kind, step, data, at FROM {EVENTS} WHERE saga_id = ? ORDER BY seq",
            (saga_id,),
        ).fetchall()
        return tuple(
            SagaEvent(seq, EventKind(kind), step, None if data is None else json.loads(data), at)
            for seq, kind, step, data, at in rows
        )

    @staticmethod
    def _file_connector(path: str, busy_timeout: float) -> Callable[[], sqlite3.Connection]:
        def connect() -> sqlite3.Connection:
            return sqlite3.connect(path, timeout=busy_timeout)

        return connect

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection per call (nothing shared between threads, nothing inherited
        across fork), in autocommit mode so that transactions are exactly the explicit ones."""
        db = self._connect()
        try:
            db.isolation_level = None
            # FULL, whatever the build's default or the service's choice: in WAL mode, NORMAL
            # may lose the last commits to a power cut, and a lost "step begun" is a step
            # that ran but that no compensation will undo.
            db.execute("PRAGMA synchronous=FULL")
            yield db
        finally:
            db.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
