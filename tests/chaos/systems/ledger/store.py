"""The ledger's store: applies credits to account balances.

``POST /credits {"id", "request", "account", "amount"}`` applies a credit; ``GET /state``
answers ``{"balances": {account: amount}, "credits": [{"id", "request", "account",
"amount"}, ...]}`` with one row per application, so a credit applied twice shows twice.
``request`` is the client's deposit id; ``id`` is the credit's own id, which is the same unless
the api retries with a new one.

Correct: SQLite at ``$STORE_DB``, credits keyed by id (a unique index), the insert and the
balance update in one transaction, the balance moved only when the insert took effect, so a
redelivered credit changes nothing. ``BUG`` plants one mistake:

- ``no-dedup``: the unique index was forgotten, so ``INSERT OR IGNORE`` ignores nothing and
  every delivery is applied;
- ``in-memory``: balances and credits live in a dict, gone when the process dies;
- ``wall-clock-expiry``: a credit whose ``expires_at`` is before the store's own clock is
  dropped, yet answered 200, so a store whose clock runs ahead loses acknowledged deposits.

Run: ``STORE_DB=/tmp/store.db python store.py --port 8001``.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from contextlib import closing
from typing import Any, Protocol

import jsonhttp

BUG = os.environ.get("BUG", "")
CREDIT_FIELDS = {"id": str, "request": str, "account": str, "amount": int}
SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS credits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    request TEXT NOT NULL,
    account TEXT NOT NULL,
    amount INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS balances (account TEXT PRIMARY KEY, amount INTEGER NOT NULL);
"""


class Ledger(Protocol):
    def apply(self, credit: dict[str, Any]) -> None: ...
    def state(self) -> dict[str, Any]: ...


class SqliteLedger:
    def __init__(self, path: str, *, unique_ids: bool) -> None:
        self.path = path
        with closing(self._connect()) as db:
            db.executescript(SCHEMA)
            if unique_ids:
                db.execute("CREATE UNIQUE INDEX IF NOT EXISTS credits_id ON credits (id)")

    def _connect(self) -> sqlite3.Connection:
        # Writers queue on SQLite's lock; the timeout only bounds that wait.
        return sqlite3.connect(self.path, timeout=10)

    def apply(self, credit: dict[str, Any]) -> None:
        # The first statement writes, so the transaction holds the write lock from its start.
        with closing(self._connect()) as db, db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO credits (id, request, account, amount) "
                "VALUES (:id, :request, :account, :amount)",
                credit,
            ).rowcount
            if inserted:
                db.execute(
                    "INSERT INTO balances (account, amount) VALUES (:account, :amount) "
                    "ON CONFLICT (account) DO UPDATE SET amount = amount + excluded.amount",
                    credit,
                )

    def state(self) -> dict[str, Any]:
        with closing(self._connect()) as db:
            db.execute("BEGIN")  # balances and credits from one snapshot
            balances = dict(db.execute("SELECT account, amount FROM balances").fetchall())
            rows = db.execute("SELECT id, request, account, amount FROM credits ORDER BY seq")
            credits = [dict(zip(CREDIT_FIELDS, row, strict=True)) for row in rows]
        return {"balances": balances, "credits": credits}


class MemoryLedger:
    """The ``in-memory`` bug: idempotent, but nothing survives the process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.credits: dict[str, dict[str, Any]] = {}
        self.balances: dict[str, int] = {}

    def apply(self, credit: dict[str, Any]) -> None:
        with self.lock:
            if credit["id"] not in self.credits:
                self.credits[credit["id"]] = credit
                account = credit["account"]
                self.balances[account] = self.balances.get(account, 0) + credit["amount"]

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"balances": dict(self.balances), "credits": list(self.credits.values())}


def open_ledger() -> Ledger:
    if BUG == "in-memory":
        return MemoryLedger()
    path = os.environ.get("STORE_DB")
    if not path:
        sys.exit("store: STORE_DB is not set (the path of its SQLite database)")
    return SqliteLedger(path, unique_ids=BUG != "no-dedup")


def expired(body: dict[str, Any]) -> bool:
    """The ``wall-clock-expiry`` bug: a deadline from another machine's clock, read by ours."""
    expires_at = body.get("expires_at")
    if not isinstance(expires_at, int | float):
        raise jsonhttp.BadRequest(f"expires_at must be a number, got {expires_at!r}")
    return expires_at < time.time()


def main() -> None:
    ledger = open_ledger()

    def post_credit(body: Any) -> jsonhttp.Answer:
        credit = jsonhttp.fields(body, CREDIT_FIELDS)
        if not (BUG == "wall-clock-expiry" and expired(body)):
            ledger.apply(credit)
        return 200, {"id": credit["id"]}

    def get_state(_: Any) -> jsonhttp.Answer:
        return 200, ledger.state()

    routes = {("POST", "/credits"): post_credit, ("GET", "/state"): get_state}
    jsonhttp.serve("store", routes, sys.argv[1:])


if __name__ == "__main__":
    main()
