"""The charge handler is a saga step (retried by its coordinator); the kit's middleware
replays the stored response for a repeated Idempotency-Key."""

import os
import sqlite3

from fastapi import FastAPI
from pydantic import BaseModel
from stormproof.kit import IdempotencyMiddleware, SqliteIdempotencyStore

app = FastAPI()
app.add_middleware(IdempotencyMiddleware, store=SqliteIdempotencyStore(os.environ["KEYS_DB"]))


class Charge(BaseModel):
    amount: int


@app.post("/charges")
def charge(body: Charge) -> dict:
    conn = sqlite3.connect(os.environ["PAYMENTS_DB"])
    cur = conn.execute("INSERT INTO charges (amount) VALUES (?)", (body.amount,))
    conn.commit()
    return {"id": cur.lastrowid}


@app.post("/refunds")
def refund(body: dict) -> dict:
    conn = sqlite3.connect(os.environ["PAYMENTS_DB"])
    conn.execute("UPDATE charges SET refunded = 1 WHERE id = ?", (body["charge_id"],))
    conn.commit()
    return {"ok": True}
