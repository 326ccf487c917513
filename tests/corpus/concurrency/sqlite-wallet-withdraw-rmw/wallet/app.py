"""Wallet service: balances live in SQLite."""

import os
import sqlite3

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

DB_PATH = os.getenv("WALLET_DB", "wallet.db")

app = FastAPI(title="wallet")


class Withdrawal(BaseModel):
    account_id: str
    amount: int


def get_conn() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    return conn


@app.get("/accounts/{account_id}")
def read_account(account_id: str) -> dict:
    conn = get_conn()
    row = conn.execute(
        "SELECT id, balance FROM accounts WHERE id = ?", (account_id,)
    ).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="account not found")
    return {"id": row["id"], "balance": row["balance"]}


@app.post("/withdrawals")
def withdraw(body: Withdrawal) -> dict:
    conn = get_conn()
    row = conn.execute(
        "SELECT balance FROM accounts WHERE id = ?", (body.account_id,)
    ).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="account not found")
    balance = row["balance"]
    if balance < body.amount:
        raise HTTPException(status_code=409, detail="insufficient funds")
    new_balance = balance - body.amount
    conn.execute(  # expect: SP701
        "UPDATE accounts SET balance = ? WHERE id = ?",
        (new_balance, body.account_id),
    )
    conn.commit()
    return {"account_id": body.account_id, "balance": new_balance}


@app.put("/accounts/{account_id}/nickname")
def rename(account_id: str, nickname: str) -> dict:
    conn = get_conn()
    conn.execute("UPDATE accounts SET nickname = ? WHERE id = ?", (nickname, account_id))
    conn.commit()
    return {"id": account_id, "nickname": nickname}
