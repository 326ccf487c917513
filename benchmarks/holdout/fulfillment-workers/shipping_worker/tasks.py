"""Shipping worker: Celery tasks that create shipments and send receipts."""

import json
import logging
import os
import uuid

import psycopg
import redis
from celery import Celery

log = logging.getLogger(__name__)

SHIPPING_DSN = os.environ["SHIPPING_DSN"]
app = Celery("shipping", broker=os.environ["CELERY_BROKER_URL"])
dedup = redis.Redis.from_url(os.environ["DEDUP_REDIS_URL"])
events = redis.Redis.from_url(os.environ["EVENTS_REDIS_URL"])
RECEIPT_TTL_S = 7 * 24 * 3600


@app.task(
    bind=True,
    acks_late=True,
    autoretry_for=(psycopg.OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def ship_order(self, order_id: str, reservation_id: str) -> str:
    """Create the shipment for a paid order and announce it on the events bus."""
    # The address lives in the orders database; one query beats another HTTP hop.
    with psycopg.connect(os.environ["ORDERS_DSN"]) as orders_db:
        (address,) = orders_db.execute(
            "SELECT shipping_address FROM orders WHERE id = %s", (order_id,)
        ).fetchone()

    shipment_id = str(uuid.uuid4())
    with psycopg.connect(SHIPPING_DSN) as conn:
        conn.execute(
            "INSERT INTO shipments (id, order_id, reservation_id, address) VALUES (%s, %s, %s, %s)",
            (shipment_id, order_id, reservation_id, address),
        )
    events.publish(
        "shipments",
        json.dumps({"type": "shipment_created", "order_id": order_id, "id": shipment_id}),
    )
    log.info("shipment %s created (attempt %d)", shipment_id, self.request.retries + 1)
    return shipment_id


@app.task(acks_late=True)
def send_receipt(order_id: str, email: str) -> None:
    """Record the receipt e-mail for an order exactly once, however often the task runs."""
    if not dedup.set(f"receipt:{order_id}", 1, nx=True, ex=RECEIPT_TTL_S):
        log.info("receipt for order %s already sent", order_id)
        return
    with psycopg.connect(SHIPPING_DSN) as conn:
        conn.execute("INSERT INTO receipts (order_id, email) VALUES (%s, %s)", (order_id, email))
