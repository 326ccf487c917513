"""Payments: refunds carry a request_id in the body and are recorded once."""

import psycopg
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
DSN = "postgresql://payments@db/payments"


class RefundIn(BaseModel):
    request_id: str
    charge_id: str
    amount_cents: int


@app.post("/refunds")
def refund(body: RefundIn) -> dict:
    with psycopg.connect(DSN) as conn:
        seen = conn.execute(
            "SELECT id FROM refunds WHERE request_id = %s", (body.request_id,)
        ).fetchone()
        if seen:
            return {"id": seen[0]}
        row = conn.execute(
            "INSERT INTO refunds (request_id, charge_id, amount_cents) VALUES (%s, %s, %s) RETURNING id",
            (body.request_id, body.charge_id, body.amount_cents),
        ).fetchone()
    return {"id": row[0]}
