"""Payments service: charges buyers' wallets and refunds them."""

import logging
import uuid
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import FastAPI, Header, HTTPException, Request
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

logger = logging.getLogger("payments")


class Settings(BaseSettings):
    payments_db_url: str
    checkout_url: str


settings = Settings()
engine = create_async_engine(settings.payments_db_url)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(timeout=5.0)
    yield
    await app.state.http.aclose()


app = FastAPI(title="payments", lifespan=lifespan)


class ChargeIn(BaseModel):
    order_id: str
    customer_id: str
    payment_method_id: str
    amount_cents: int = Field(gt=0)


@app.post("/charges", status_code=201)
async def create_charge(
    body: ChargeIn, idempotency_key: Annotated[str, Header(alias="Idempotency-Key")]
) -> dict:
    """Debit the wallet once per Idempotency-Key; a replay is acknowledged, not debited again."""
    async with engine.begin() as conn:
        inserted = await conn.execute(
            text(
                "INSERT INTO charges (id, idempotency_key, order_id, customer_id, amount_cents) "
                "VALUES (:id, :key, :order_id, :customer_id, :amount_cents) "
                "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
            ),
            {"id": str(uuid.uuid4()), "key": idempotency_key, **body.model_dump()},
        )
        charge_id = inserted.scalar()
        if charge_id is None:
            return {"idempotency_key": idempotency_key, "replayed": True}
        debited = await conn.execute(
            text(
                "UPDATE wallets SET balance_cents = balance_cents - :amount "
                "WHERE customer_id = :customer AND balance_cents >= :amount"
            ),
            {"amount": body.amount_cents, "customer": body.customer_id},
        )
        if debited.rowcount != 1:
            raise HTTPException(status_code=402, detail="insufficient funds")
    return {"id": charge_id}


@app.post("/charges/{charge_id}/refund")
async def refund_charge(charge_id: str, request: Request) -> dict:
    """Return a charge to the wallet and tell checkout the order was refunded."""
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                text("SELECT order_id, customer_id, amount_cents FROM charges WHERE id = :id"),
                {"id": charge_id},
            )
        ).first()
        if row is None:
            raise HTTPException(status_code=404, detail="charge not found")
        await conn.execute(
            text("UPDATE charges SET status = 'refunded' WHERE id = :id"), {"id": charge_id}
        )
        await conn.execute(
            text(
                "UPDATE wallets SET balance_cents = balance_cents + :amount "
                "WHERE customer_id = :customer"
            ),
            {"amount": row.amount_cents, "customer": row.customer_id},
        )

    await request.app.state.http.post(
        f"{settings.checkout_url}/orders/{row.order_id}/refunded",
        json={"charge_id": charge_id, "amount_cents": row.amount_cents},
    )
    return {"id": charge_id, "status": "refunded"}
