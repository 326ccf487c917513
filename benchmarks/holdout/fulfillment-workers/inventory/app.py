"""Inventory service: stock counts, reservations and prices, all kept in Redis."""

import logging
import os
import uuid

import redis
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

log = logging.getLogger("inventory")
r = redis.Redis.from_url(os.environ["INVENTORY_REDIS_URL"], decode_responses=True)
app = FastAPI(title="inventory")


class ReserveIn(BaseModel):
    order_id: str
    sku: str
    quantity: int = Field(gt=0)


class Restock(BaseModel):
    quantity: int = Field(gt=0)


class PriceChange(BaseModel):
    percent: float = Field(gt=-90, lt=500)


@app.post("/reservations", status_code=201)
def reserve(body: ReserveIn) -> dict:
    """Take stock for an order."""
    stock_key = f"stock:{body.sku}"
    available = int(r.get(stock_key) or 0)
    if available < body.quantity:
        raise HTTPException(status_code=409, detail="insufficient stock")
    r.set(stock_key, available - body.quantity)

    reservation_id = str(uuid.uuid4())
    r.hset(
        f"reservation:{reservation_id}",
        mapping={"order_id": body.order_id, "sku": body.sku, "quantity": body.quantity},
    )
    return {"id": reservation_id, "remaining": available - body.quantity}


@app.post("/stock/{sku}/restock")
def restock(sku: str, body: Restock) -> dict:
    level = r.incrby(f"stock:{sku}", body.quantity)
    return {"sku": sku, "available": level}


@app.post("/reservations/{reservation_id}/release")
def release(reservation_id: str) -> dict:
    """Return a reservation's stock; WATCH makes a concurrent release fail and retry."""
    reservation_key = f"reservation:{reservation_id}"
    with r.pipeline() as pipe:
        while True:
            try:
                pipe.watch(reservation_key)
                reservation = pipe.hgetall(reservation_key)
                if not reservation or reservation.get("status") == "released":
                    return {"id": reservation_id, "status": "released"}
                pipe.multi()
                pipe.incrby(f"stock:{reservation['sku']}", int(reservation["quantity"]))
                pipe.hset(reservation_key, "status", "released")
                pipe.execute()
                return {"id": reservation_id, "status": "released"}
            except redis.WatchError:
                log.info("reservation %s changed while releasing, retrying", reservation_id)


@app.put("/prices/{sku}")
def change_price(sku: str, body: PriceChange) -> dict:
    """Raise or cut a price by a percentage (used by the merchandising dashboard)."""
    current = float(r.hget("prices", sku) or 0)
    new_price = round(current * (1 + body.percent / 100), 2)
    r.hset("prices", sku, new_price)
    return {"sku": sku, "price": new_price}
