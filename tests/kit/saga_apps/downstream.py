"""A stand-in for the services a saga calls: one SQLite file, shared by every process of a
test, that applies each effect at most once per idempotency key (as a service honouring
Idempotency-Key would) and records every call, so that a test sees both how often a step was
*called* and how often it *took effect*.

An action's effect answers with the id of the first call that applied it, replayed to every
later call with the same key. A compensation takes effect only when the action it undoes did
(looked up by the action's key): undoing what never happened changes nothing."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from typing import Any


class Downstream:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS calls (n INTEGER PRIMARY KEY AUTOINCREMENT,"
                " key TEXT NOT NULL, pid INTEGER NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY,"
                " call INTEGER NOT NULL, undoes TEXT)"
            )

    def act(self, key: str) -> dict[str, Any]:
        """Apply the action's effect once per key; answer with the first call's id."""
        with self._db() as db:
            call = self._record(db, key)
            db.execute("INSERT OR IGNORE INTO effects (key, call) VALUES (?, ?)", (key, call))
            (first,) = db.execute("SELECT call FROM effects WHERE key = ?", (key,)).fetchone()
        return {"id": first}

    def undo(self, key: str, action_key: str) -> bool:
        """Undo the effect of ``action_key`` once per ``key``; whether there was one."""
        with self._db() as db:
            call = self._record(db, key)
            return (
                db.execute(
                    "INSERT OR IGNORE INTO effects (key, call, undoes)"
                    " SELECT ?, ?, key FROM effects WHERE key = ?",
                    (key, call, action_key),
                ).rowcount
                == 1
            )

    def calls(self) -> list[str]:
        """Every call's key, in order."""
        with self._db() as db:
            return [key for (key,) in db.execute("SELECT key FROM calls ORDER BY n")]

    def effects(self) -> list[str]:
        """The key of every effect applied, in order."""
        with self._db() as db:
            return [key for (key,) in db.execute("SELECT key FROM effects ORDER BY call")]

    def _record(self, db: sqlite3.Connection, key: str) -> int:
        cursor = db.execute("INSERT INTO calls (key, pid) VALUES (?, ?)", (key, os.getpid()))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self._path, timeout=30)
        try:
            with db:  # commits, or rolls back on an error
                yield db
        finally:
            db.close()
