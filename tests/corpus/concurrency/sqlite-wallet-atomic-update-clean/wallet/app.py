"""Wallet service: the balance check and the debit are one statement."""

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


@app.post("/withdrawals")
def withdraw(body: Withdrawal) -> dict:
    conn = get_conn()
    with conn:
        cur = conn.execute(
            "UPDATE accounts SET balance = balance - ? WHERE id = ? AND balance >= ?",
            (body.amount, body.account_id, body.amount),
        )
        if cur.rowcount == 0:
            raise HTTPException(status_code=409, detail="insufficient funds or unknown account")
    row = conn.execute(
        "SELECT balance FROM accounts WHERE id = ?", (body.account_id,)
    ).fetchone()
    return {"account_id": body.account_id, "balance": row["balance"]}


@app.post("/deposits")
def deposit(body: Withdrawal) -> dict:
    conn = get_conn()
    row = conn.execute(
        "SELECT balance FROM accounts WHERE id = ?", (body.account_id,)
    ).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="account not found")
    with conn:
        conn.execute(
            "UPDATE accounts SET balance = balance + ? WHERE id = ?",
            (body.amount, body.account_id),
        )
    return {"account_id": body.account_id, "balance": row["balance"] + body.amount}
