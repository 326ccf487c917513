"""Compare-and-set on the balance itself: the UPDATE only applies if nobody changed it."""

import sqlite3


class Conflict(Exception):
    pass


class WalletRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def spend(self, wallet_id: str, amount: int) -> int:
        (balance,) = self.conn.execute(
            "SELECT balance FROM wallets WHERE id = ?", (wallet_id,)
        ).fetchone()
        if balance < amount:
            raise ValueError("insufficient funds")
        cur = self.conn.execute(
            "UPDATE wallets SET balance = ? WHERE id = ? AND balance = ?",
            (balance - amount, wallet_id, balance),
        )
        if cur.rowcount == 0:
            self.conn.rollback()
            raise Conflict(wallet_id)
        self.conn.commit()
        return balance - amount
