"""Payments service: charges and refunds in SQLite."""

import os
import sqlite3
import uuid

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

DB_PATH = os.getenv("PAYMENTS_DB", "payments.db")
app = FastAPI(title="payments")


class ChargeIn(BaseModel):
    user_id: str
    amount_cents: int


class RefundIn(BaseModel):
    charge_id: str


def db() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    return conn


@app.post("/charges", status_code=201)
def create_charge(body: ChargeIn) -> dict:  # expect: SP401
    charge_id = str(uuid.uuid4())
    with db() as conn:
        conn.execute(
            "INSERT INTO charges (id, user_id, amount_cents, status) VALUES (?, ?, ?, 'captured')",
            (charge_id, body.user_id, body.amount_cents),
        )
    return {"id": charge_id, "status": "captured"}


@app.post("/refunds")
def refund(body: RefundIn) -> dict:  # expect: SP401
    with db() as conn:
        row = conn.execute("SELECT amount_cents FROM charges WHERE id = ?", (body.charge_id,)).fetchone()
        if row is None:
            raise HTTPException(status_code=404, detail="no such charge")
        conn.execute(
            "UPDATE charges SET refunded_cents = refunded_cents + ? WHERE id = ?",
            (row["amount_cents"], body.charge_id),
        )
    return {"charge_id": body.charge_id, "refunded": row["amount_cents"]}


@app.get("/charges/{charge_id}")
def get_charge(charge_id: str) -> dict:
    with db() as conn:
        row = conn.execute("SELECT * FROM charges WHERE id = ?", (charge_id,)).fetchone()
    if row is None:
        raise HTTPException(status_code=404)
    return dict(row)
