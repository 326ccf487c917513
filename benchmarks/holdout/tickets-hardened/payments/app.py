"""Payments service: card charges and refunds, each recorded once per Idempotency-Key."""

import os
import uuid
from typing import Annotated

from fastapi import FastAPI, Header
from pydantic import BaseModel, Field
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["PAYMENTS_DB_URL"], pool_pre_ping=True)
app = FastAPI(title="payments")

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key")]


class ChargeIn(BaseModel):
    card_token: str
    amount_cents: int = Field(gt=0)


class RefundIn(BaseModel):
    charge_id: str


def record_once(table: str, key: str, values: dict) -> str:
    """Insert a row keyed by `key` unless one exists; return the row's id either way."""
    with engine.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO {table} (id, idempotency_key, details) VALUES (:id, :key, :details) "
                "ON CONFLICT (idempotency_key) DO NOTHING"
            ),
            {"id": str(uuid.uuid4()), "key": key, "details": values},
        )
        return conn.execute(
            text(f"SELECT id FROM {table} WHERE idempotency_key = :key"), {"key": key}
        ).scalar_one()


@app.post("/charges", status_code=201)
def charge(body: ChargeIn, idempotency_key: IdempotencyKey) -> dict:
    return {"id": record_once("charges", idempotency_key, body.model_dump())}


@app.post("/refunds", status_code=201)
def refund(body: RefundIn, idempotency_key: IdempotencyKey) -> dict:
    return {"id": record_once("refunds", idempotency_key, body.model_dump())}
