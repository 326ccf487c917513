"""Billing: subscriptions, invoices and payments for every tenant."""

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from billing import stripe_client
from billing.settings import settings
from billing.tasks import send_receipt
from fastapi import FastAPI, Header, HTTPException, Request
from psycopg_pool import ConnectionPool
from pydantic import BaseModel
from tenacity import retry, retry_if_exception_type, stop_after_attempt

logger = logging.getLogger("billing")

internal = httpx.Client(timeout=5.0)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = ConnectionPool(settings.billing_database_url, min_size=2, max_size=10)
    yield
    app.state.pool.close()


app = FastAPI(title="billing", lifespan=lifespan)


class SubscriptionRequest(BaseModel):
    tenant_id: str
    plan: str
    seats: int


class Payment(BaseModel):
    amount_cents: int
    provider_ref: str


class RefundRequest(BaseModel):
    amount_cents: int


@retry(stop=stop_after_attempt(3), retry=retry_if_exception_type(httpx.TransportError))
def tenant_profile(tenant_id: str, traceparent: str) -> dict:
    resp = internal.get(
        f"{settings.tenants_base_url}/tenants",
        params={"id": tenant_id},
        headers={"traceparent": traceparent},
    )
    resp.raise_for_status()
    return resp.json()


def metered_units(tenant_id: str, period: str, traceparent: str) -> int:
    try:
        resp = internal.get(
            f"{settings.usage_base_url}/usage",
            params={"tenant_id": tenant_id, "period": period},
            headers={"traceparent": traceparent},
        )
        resp.raise_for_status()
        return int(resp.json()["units"])
    except httpx.HTTPError:
        logger.warning("usage for %s/%s unavailable, billing base fee only", tenant_id, period)
        return 0


@app.post("/subscriptions", status_code=201)
def subscribe(
    body: SubscriptionRequest, idempotency_key: Annotated[str, Header()], request: Request
) -> dict[str, str]:
    with request.app.state.pool.connection() as conn:
        conn.execute(
            "INSERT INTO subscriptions (idempotency_key, tenant_id, plan, seats)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING",
            (idempotency_key, body.tenant_id, body.plan, body.seats),
        )
        conn.execute(
            "INSERT INTO billing_outbox (topic, payload) VALUES ('subscription.created', %s)",
            (json.dumps(body.model_dump()),),
        )
    return {"status": "active"}


@app.post("/tenants/{tenant_id}/invoices/{period}", status_code=201)
def close_period(tenant_id: str, period: str, request: Request) -> dict[str, int]:
    traceparent = request.headers.get("traceparent", "")
    profile = tenant_profile(tenant_id, traceparent)
    units = metered_units(tenant_id, period, traceparent)
    amount = profile["base_fee_cents"] + units * profile["unit_price_cents"]
    with request.app.state.pool.connection() as conn:
        row = conn.execute(
            "INSERT INTO invoices (tenant_id, period, amount_cents, status)"
            " VALUES (%s, %s, %s, 'open') ON CONFLICT (tenant_id, period)"
            " DO UPDATE SET amount_cents = EXCLUDED.amount_cents RETURNING id",
            (tenant_id, period, amount),
        ).fetchone()
        conn.execute(
            "INSERT INTO billing_outbox (topic, payload) VALUES ('invoice.opened', %s)",
            (json.dumps({"invoice_id": row[0], "tenant_id": tenant_id}),),
        )
    try:
        internal.post(
            f"{settings.tenants_base_url}/tenants/{tenant_id}/events",
            json={"type": "invoice.opened", "invoice_id": row[0]},
            headers={"traceparent": traceparent},
        )
    except Exception:
        logger.exception("could not tell tenants about invoice %s", row[0])
    return {"invoice_id": row[0], "amount_cents": amount}


@app.post("/invoices/{invoice_id}/payments", status_code=201)
def record_payment(invoice_id: int, body: Payment, request: Request) -> dict[str, str]:
    with request.app.state.pool.connection() as conn:
        conn.execute(
            "UPDATE invoices SET status = 'paid', paid_cents = paid_cents + %s,"
            " provider_ref = %s WHERE id = %s",
            (body.amount_cents, body.provider_ref, invoice_id),
        )
    send_receipt.apply_async(args=[invoice_id], countdown=5)
    return {"status": "paid"}


@app.post("/invoices/{invoice_id}/refunds", status_code=201)
def refund(invoice_id: int, body: RefundRequest, request: Request) -> dict[str, str]:
    with request.app.state.pool.connection() as conn:
        invoice = conn.execute(
            "SELECT provider_ref FROM invoices WHERE id = %s FOR UPDATE", (invoice_id,)
        ).fetchone()
        if invoice is None:
            raise HTTPException(status_code=404, detail="unknown invoice")
        stripe_refund = stripe_client.refund_charge(invoice[0], body.amount_cents)
        conn.execute(
            "UPDATE invoices SET refunded_cents = refunded_cents + %s WHERE id = %s",
            (body.amount_cents, invoice_id),
        )
    return {"refund_id": stripe_refund["id"]}
