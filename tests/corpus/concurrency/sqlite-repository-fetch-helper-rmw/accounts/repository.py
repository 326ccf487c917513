import sqlite3


class AccountRepository:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row

    def _fetch(self, account_id: str) -> sqlite3.Row | None:
        cur = self.conn.execute("SELECT id, balance FROM accounts WHERE id = ?", (account_id,))
        return cur.fetchone()

    def deposit(self, account_id: str, amount: int) -> int:
        account = self._fetch(account_id)
        if account is None:
            raise KeyError(account_id)
        new_balance = account["balance"] + amount
        self.conn.execute(  # expect: SP701
            "UPDATE accounts SET balance = ? WHERE id = ?", (new_balance, account_id)
        )
        self.conn.commit()
        return new_balance

    def close(self, account_id: str) -> None:
        account = self._fetch(account_id)
        if account is not None:
            self.conn.execute("UPDATE accounts SET closed = 1 WHERE id = ?", (account["id"],))
            self.conn.commit()
