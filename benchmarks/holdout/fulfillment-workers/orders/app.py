"""Order service. New orders reach Kafka through the outbox table; see relay.py."""

import json
import logging
import os
import uuid

from flask import Flask, jsonify, request
from kafka import KafkaProducer
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

log = logging.getLogger("orders")

ORDERS_DSN = os.environ["ORDERS_DSN"]
pool = ConnectionPool(ORDERS_DSN, min_size=2, max_size=10)
producer = KafkaProducer(
    bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
    value_serializer=lambda event: json.dumps(event).encode(),
    acks="all",
)
app = Flask(__name__)


class NewOrder(BaseModel):
    customer_id: str
    sku: str
    quantity: int = Field(gt=0)
    total_cents: int = Field(gt=0)
    shipping_address: str


@app.post("/orders")
def place_order():
    """Store the order and its order_placed event in one transaction."""
    new = NewOrder.model_validate(request.get_json(force=True))
    order = {"id": str(uuid.uuid4()), "status": "placed", **new.model_dump()}
    with pool.connection() as conn, conn.transaction():
        conn.execute(
            "INSERT INTO orders (id, customer_id, sku, quantity, total_cents, shipping_address,"
            " status) VALUES (%(id)s, %(customer_id)s, %(sku)s, %(quantity)s, %(total_cents)s,"
            " %(shipping_address)s, %(status)s)",
            order,
        )
        conn.execute(
            "INSERT INTO outbox (topic, payload) VALUES (%s, %s)",
            ("order-events", Jsonb({"type": "order_placed", "order": order})),
        )
    return jsonify(order), 201


@app.post("/orders/<order_id>/cancel")
def cancel_order(order_id: str):
    """Cancel an order that has not been paid yet and let the workers know."""
    with pool.connection() as conn:
        cancelled = conn.execute(
            "UPDATE orders SET status = 'cancelled' WHERE id = %s AND status = 'placed'"
            " RETURNING sku, quantity",
            (order_id,),
        ).fetchone()
        if cancelled is None:
            return jsonify(error="order cannot be cancelled"), 409
    sku, quantity = cancelled
    event = {"type": "order_cancelled", "order_id": order_id, "sku": sku, "quantity": quantity}
    producer.send("order-events", event)
    log.info("order %s cancelled", order_id)
    return jsonify(id=order_id, status="cancelled"), 202


@app.put("/orders/<order_id>/status")
def update_status(order_id: str):
    body = request.get_json(force=True)
    with pool.connection() as conn:
        conn.execute(
            "UPDATE orders SET status = %s, charge_id = %s WHERE id = %s",
            (body["status"], body.get("charge_id"), order_id),
        )
    return "", 204


@app.get("/orders/<order_id>")
def get_order(order_id: str):
    with pool.connection() as conn:
        row = conn.execute("SELECT id, status FROM orders WHERE id = %s", (order_id,)).fetchone()
    if row is None:
        return jsonify(error="not found"), 404
    return jsonify(id=row[0], status=row[1])
