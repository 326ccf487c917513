"""The register system's store: keyed registers, each a JSON value or absent (null).

``GET /registers/<key>`` answers ``{"value": v}`` (null when absent); ``POST /registers/<key>
{"value"}`` sets it (null is refused: it means absent); ``POST /registers/<key>/cas
{"expected", "new"}`` sets it to ``new`` only if it holds ``expected``: 200 ``{"ok": true}``,
or 409 ``{"ok": false}`` when the compare failed and nothing changed; ``GET /registers``
answers ``{"registers": {key: value}}``.

Correct: SQLite at ``$STORE_DB``, each operation one statement (so one transaction, atomic
against concurrent ones): the cas compares and sets in a single ``UPDATE ... WHERE``.
``BUG`` plants one mistake:

- ``in-memory``: the registers live in a dict, gone when the process dies, so after a
  restart a read answers null for a register whose write was acknowledged.

Run: ``STORE_DB=/tmp/store.db python store.py --port 8001``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
from contextlib import closing
from typing import Any, Protocol

import jsonhttp
import registers

BUG = os.environ.get("BUG", "")
SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS registers (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def encoded(value: Any) -> str:
    """One text per JSON value, so that SQL can compare values as text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class Registers(Protocol):
    def read(self, key: str) -> Any: ...
    def write(self, key: str, value: Any) -> None: ...
    def cas(self, key: str, expected: Any, new: Any) -> bool: ...
    def all(self) -> dict[str, Any]: ...


class SqliteRegisters:
    def __init__(self, path: str) -> None:
        self.path = path
        with closing(self._connect()) as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # Autocommit: every statement is its own transaction. The timeout bounds the wait
        # for SQLite's write lock.
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)

    def read(self, key: str) -> Any:
        with closing(self._connect()) as db:
            row = db.execute("SELECT value FROM registers WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def write(self, key: str, value: Any) -> None:
        with closing(self._connect()) as db:
            db.execute(
                "INSERT INTO registers (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, encoded(value)),
            )

    def cas(self, key: str, expected: Any, new: Any) -> bool:
        with closing(self._connect()) as db:
            return (
                db.execute(
                    "UPDATE registers SET value = ? WHERE key = ? AND value = ?",
                    (encoded(new), key, encoded(expected)),
                ).rowcount
                == 1
            )

    def all(self) -> dict[str, Any]:
        with closing(self._connect()) as db:
            rows = db.execute("SELECT key, value FROM registers ORDER BY key").fetchall()
        return {key: json.loads(value) for key, value in rows}


class MemoryRegisters:
    """The ``in-memory`` bug: atomic, but nothing survives the process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: dict[str, Any] = {}

    def read(self, key: str) -> Any:
        with self.lock:
            return self.values.get(key)

    def write(self, key: str, value: Any) -> None:
        with self.lock:
            self.values[key] = value

    def cas(self, key: str, expected: Any, new: Any) -> bool:
        with self.lock:
            if self.values.get(key) != expected:
                return False
            self.values[key] = new
            return True

    def all(self) -> dict[str, Any]:
        with self.lock:
            return dict(sorted(self.values.items()))


def open_registers() -> Registers:
    if BUG == "in-memory":
        return MemoryRegisters()
    path = os.environ.get("STORE_DB")
    if not path:
        sys.exit("store: STORE_DB is not set (the path of its SQLite database)")
    return SqliteRegisters(path)


def main() -> None:
    store = open_registers()

    def read(key: str, _: Any) -> jsonhttp.Answer:
        return 200, {"value": store.read(key)}

    def write(key: str, body: Any) -> jsonhttp.Answer:
        [value] = registers.values(body, ["value"])
        store.write(key, value)
        return 200, {"value": value}

    def cas(key: str, body: Any) -> jsonhttp.Answer:
        expected, new = registers.values(body, ["expected", "new"])
        done = store.cas(key, expected, new)
        return (200 if done else 409), {"ok": done}

    def read_all(_: Any) -> jsonhttp.Answer:
        return 200, {"registers": store.all()}

    routes = {**registers.routes(read, write, cas), ("GET", "/registers"): read_all}
    jsonhttp.serve("store", routes, sys.argv[1:])


if __name__ == "__main__":
    main()
