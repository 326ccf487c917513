"""Checkout service: runs the place-order saga (reserve stock, charge, book the shipment).

Every step carries an idempotency key derived from the order id.
"""

import logging
import uuid
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import FastAPI, Header, HTTPException, Request
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from checkout.config import settings

logger = logging.getLogger("checkout")

HTTPXClientInstrumentor().instrument()
engine = create_async_engine(settings.checkout_db_url, pool_size=10)


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.request_timeout_s, connect=2.0)
    )
    yield
    await app.state.http.aclose()
    await engine.dispose()


app = FastAPI(title="checkout", lifespan=lifespan)


class CartItem(BaseModel):
    sku: str
    quantity: int = Field(gt=0)


class PlaceOrder(BaseModel):
    customer_id: str
    payment_method_id: str
    address: str
    items: list[CartItem]
    amount_cents: int = Field(gt=0)


class OrderPlaced(BaseModel):
    order_id: str
    status: str
    charge_id: str
    shipment_id: str


@app.post("/orders", status_code=201)
async def place_order(
    body: PlaceOrder,
    request: Request,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
) -> OrderPlaced:
    http: httpx.AsyncClient = request.app.state.http
    order_id = str(uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key))
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO orders (id, idempotency_key, customer_id, status) "
                "VALUES (:id, :key, :customer, 'pending') "
                "ON CONFLICT (idempotency_key) DO NOTHING"
            ),
            {"id": order_id, "key": idempotency_key, "customer": body.customer_id},
        )

    # 1. reserve stock; inventory answers a replayed key with the first reservation
    async for attempt in AsyncRetrying(
        stop=stop_after_attempt(4),
        wait=wait_random_exponential(multiplier=0.2, max=3),
        retry=retry_if_exception_type(httpx.TransportError),
        reraise=True,
    ):
        with attempt:
            reservation = await http.post(
                f"{settings.inventory_url}/reservations",
                json={"order_id": order_id, "items": [i.model_dump() for i in body.items]},
                headers={"Idempotency-Key": f"{order_id}:reserve"},
            )
    if reservation.status_code == 409:
        raise HTTPException(status_code=409, detail="out of stock")
    reservation.raise_for_status()
    reservation_id = reservation.json()["id"]

    # 2. charge the buyer; give the stock back if that fails
    try:
        charge = await http.post(
            f"{settings.payments_url}/charges",
            json={
                "order_id": order_id,
                "customer_id": body.customer_id,
                "payment_method_id": body.payment_method_id,
                "amount_cents": body.amount_cents,
            },
            headers={"Idempotency-Key": f"{order_id}:charge"},
        )
        charge.raise_for_status()
    except httpx.HTTPError as exc:
        logger.warning("charge for order %s failed: %s; releasing stock", order_id, exc)
        await http.delete(f"{settings.inventory_url}/reservations/{reservation_id}")
        raise HTTPException(status_code=402, detail="payment failed") from exc
    charge_id = charge.json()["id"]

    # 3. book the shipment; label printing at the warehouse can take a while
    shipment = await http.post(
        f"{settings.shipping_url}/shipments",
        json={"order_id": order_id, "reservation_id": reservation_id, "address": body.address},
        headers={"Idempotency-Key": f"{order_id}:ship"},
        timeout=None,
    )
    shipment.raise_for_status()
    shipment_id = shipment.json()["id"]

    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE orders SET status = 'confirmed', charge_id = :charge, "
                "shipment_id = :shipment WHERE id = :id"
            ),
            {"id": order_id, "charge": charge_id, "shipment": shipment_id},
        )
    return OrderPlaced(
        order_id=order_id, status="confirmed", charge_id=charge_id, shipment_id=shipment_id
    )
