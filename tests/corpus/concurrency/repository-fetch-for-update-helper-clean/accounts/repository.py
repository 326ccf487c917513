import psycopg


class AccountRepository:
    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    def _fetch_locked(self, account_id: str) -> tuple | None:
        return self.conn.execute(
            "SELECT id, balance FROM accounts WHERE id = %s FOR UPDATE", (account_id,)
        ).fetchone()

    def deposit(self, account_id: str, amount: int) -> int:
        with self.conn.transaction():
            account = self._fetch_locked(account_id)
            if account is None:
                raise KeyError(account_id)
            new_balance = account[1] + amount
            self.conn.execute(
                "UPDATE accounts SET balance = %s WHERE id = %s", (new_balance, account_id)
            )
        return new_balance
