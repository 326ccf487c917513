"""Shipping service: books parcels for confirmed orders."""

import logging
import uuid

import httpx
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel
from pydantic_settings import BaseSettings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from tenacity import retry, retry_if_exception_type, wait_fixed

logger = logging.getLogger(__name__)


class Settings(BaseSettings):
    shipping_db_url: str
    inventory_url: str


settings = Settings()
engine = create_async_engine(settings.shipping_db_url)
client = httpx.AsyncClient(timeout=httpx.Timeout(10.0))
app = FastAPI(title="shipping")


class ShipmentIn(BaseModel):
    order_id: str
    reservation_id: str
    address: str


@retry(retry=retry_if_exception_type(httpx.TransportError), wait=wait_fixed(2))
async def mark_dispatched(reservation_id: str) -> None:
    """Tell inventory the goods left; inventory must hear it eventually."""
    resp = await client.post(
        f"{settings.inventory_url}/dispatches", json={"reservation_id": reservation_id}
    )
    resp.raise_for_status()


@app.post("/shipments", status_code=201)
async def create_shipment(body: ShipmentIn, request: Request) -> dict:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        raise HTTPException(status_code=400, detail="missing Idempotency-Key")
    async with engine.begin() as conn:
        existing = (
            await conn.execute(
                text("SELECT id FROM shipments WHERE idempotency_key = :key"), {"key": key}
            )
        ).scalar()
        if existing:
            return {"id": existing}
        shipment_id = str(uuid.uuid4())
        await conn.execute(
            text(
                "INSERT INTO shipments (id, idempotency_key, order_id, address) "
                "VALUES (:id, :key, :order, :address)"
            ),
            {"id": shipment_id, "key": key, "order": body.order_id, "address": body.address},
        )
    await mark_dispatched(body.reservation_id)
    logger.info("shipment %s booked for order %s", shipment_id, body.order_id)
    return {"id": shipment_id}
