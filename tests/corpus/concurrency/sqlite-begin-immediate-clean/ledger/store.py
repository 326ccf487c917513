"""Ledger store. SQLite's BEGIN IMMEDIATE takes the write lock before the read."""

import sqlite3
from contextlib import closing


class InsufficientFunds(Exception):
    pass


class LedgerStore:
    def __init__(self, path: str) -> None:
        # isolation_level=None: we manage transactions ourselves.
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def transfer_out(self, account_id: str, amount: int) -> int:
        with closing(self._conn.cursor()) as cur:
            cur.execute("BEGIN IMMEDIATE")
            try:
                cur.execute("SELECT balance FROM accounts WHERE id = ?", (account_id,))
                (balance,) = cur.fetchone()
                if balance < amount:
                    raise InsufficientFunds(account_id)
                remaining = balance - amount
                cur.execute(
                    "UPDATE accounts SET balance = ? WHERE id = ?", (remaining, account_id)
                )
                cur.execute("COMMIT")
            except Exception:
                cur.execute("ROLLBACK")
                raise
        return remaining

    def balance(self, account_id: str) -> int:
        with closing(self._conn.cursor()) as cur:
            cur.execute("SELECT balance FROM accounts WHERE id = ?", (account_id,))
            row = cur.fetchone()
        return row[0] if row else 0
