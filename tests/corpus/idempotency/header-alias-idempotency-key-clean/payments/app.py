"""Payments: charges honour the Idempotency-Key header."""

import sqlite3
import uuid

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel

app = FastAPI()
conn = sqlite3.connect("payments.db", check_same_thread=False)
conn.row_factory = sqlite3.Row


class ChargeIn(BaseModel):
    user_id: str
    amount_cents: int


@app.post("/charges", status_code=201)
def create_charge(
    body: ChargeIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
) -> dict:
    if idempotency_key is None:
        raise HTTPException(status_code=400, detail="Idempotency-Key header required")
    existing = conn.execute(
        "SELECT id FROM charges WHERE idempotency_key = ?", (idempotency_key,)
    ).fetchone()
    if existing:
        return {"id": existing["id"], "replayed": True}
    charge_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO charges (id, idempotency_key, user_id, amount_cents) VALUES (?, ?, ?, ?)",
        (charge_id, idempotency_key, body.user_id, body.amount_cents),
    )
    conn.commit()
    return {"id": charge_id}
