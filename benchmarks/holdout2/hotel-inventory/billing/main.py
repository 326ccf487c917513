"""Billing: quotes, card charges and refunds for stays."""

import os
from typing import Annotated

import psycopg
from fastapi import FastAPI, Header, HTTPException
from psycopg.rows import dict_row
from pydantic import BaseModel

BILLING_DSN = os.environ["BILLING_DSN"]
NIGHTLY_CENTS = {"single": 9_500, "double": 13_900, "suite": 29_000}
CITY_TAX_CENTS_PER_NIGHT = 350

app = FastAPI(title="billing")


class ChargeRequest(BaseModel):
    card_token: str
    amount_cents: int
    ref: str


class RefundRequest(BaseModel):
    amount_cents: int | None = None


async def connect() -> psycopg.AsyncConnection:
    return await psycopg.AsyncConnection.connect(BILLING_DSN, row_factory=dict_row)


@app.get("/quotes")
async def quote(room_type: str, nights: int) -> dict[str, int]:
    if room_type not in NIGHTLY_CENTS:
        raise HTTPException(status_code=404, detail="unknown room type")
    return {"total_cents": nights * (NIGHTLY_CENTS[room_type] + CITY_TAX_CENTS_PER_NIGHT)}


@app.post("/charges", status_code=201)
async def charge(body: ChargeRequest, idempotency_key: Annotated[str, Header()]) -> dict[str, int]:
    async with await connect() as conn:
        await conn.execute(
            "INSERT INTO charges (idempotency_key, ref, card_token, amount_cents, refunded)"
            " VALUES (%s, %s, %s, %s, 0) ON CONFLICT (idempotency_key) DO NOTHING",
            (idempotency_key, body.ref, body.card_token, body.amount_cents),
        )
        cur = await conn.execute(
            "SELECT id FROM charges WHERE idempotency_key = %s", (idempotency_key,)
        )
        row = await cur.fetchone()
    return {"charge_id": row["id"]}


@app.post("/charges/{charge_id}/refund")
async def refund(charge_id: int, body: RefundRequest) -> dict[str, int]:
    async with await connect() as conn:
        cur = await conn.execute(
            "SELECT amount_cents, refunded FROM charges WHERE id = %s", (charge_id,)
        )
        row = await cur.fetchone()
        if row is None:
            raise HTTPException(status_code=404, detail="unknown charge")
        refundable = row["amount_cents"] - row["refunded"]
        amount = refundable if body.amount_cents is None else min(body.amount_cents, refundable)
        refunded = row["refunded"] + amount
        await conn.execute("UPDATE charges SET refunded = %s WHERE id = %s", (refunded, charge_id))
    return {"refunded_cents": amount}
