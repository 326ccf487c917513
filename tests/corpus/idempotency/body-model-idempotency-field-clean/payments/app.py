"""Payments: the body carries idempotency_key; the ledger stores it under a unique index."""

import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

from payments.schemas import ChargeRequest

engine = create_engine(os.environ["PAYMENTS_DSN"])
app = FastAPI()


@app.post("/charges", status_code=201)
def create_charge(req: ChargeRequest) -> dict:
    with engine.begin() as conn:
        existing = conn.execute(
            text("SELECT id FROM charges WHERE idempotency_key = :k"), {"k": req.idempotency_key}
        ).scalar()
        if existing is not None:
            return {"id": existing}
        charge_id = conn.execute(
            text(
                "INSERT INTO charges (idempotency_key, user_id, amount_cents) "
                "VALUES (:k, :u, :a) RETURNING id"
            ),
            {"k": req.idempotency_key, "u": req.user_id, "a": req.amount_cents},
        ).scalar_one()
    return {"id": charge_id}
