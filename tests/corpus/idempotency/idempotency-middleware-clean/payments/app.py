"""Payments API; idempotency is enforced by middleware for every route."""

import sqlite3

from fastapi import FastAPI

from payments.middleware import IdempotencyMiddleware

app = FastAPI()
app.add_middleware(IdempotencyMiddleware)
conn = sqlite3.connect("payments.db", check_same_thread=False)


@app.post("/charges")
def charge(payload: dict) -> dict:
    cur = conn.execute(
        "INSERT INTO charges (user_id, amount_cents) VALUES (?, ?)",
        (payload["user_id"], payload["amount_cents"]),
    )
    conn.commit()
    return {"id": cur.lastrowid}


@app.post("/refunds")
def refund(payload: dict) -> dict:
    conn.execute("INSERT INTO refunds (charge_id) VALUES (?)", (payload["charge_id"],))
    conn.commit()
    return {"ok": True}
