"""Fulfillment worker.

Consumes `order_placed` events from Kafka, charges the customer, reserves the
stock and hands the order to the shipping worker (a Celery task).
"""

import json
import logging
import os
import time
import urllib.request
from typing import Any

import requests
from celery import Celery
from kafka import KafkaConsumer

log = logging.getLogger("fulfillment")

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
ORDERS_URL = os.environ.get("ORDERS_URL", "http://orders:8000")
INVENTORY_URL = "http://inventory:8000"  # TODO: read from env like the others
HTTP_TIMEOUT = 5

celery = Celery("fulfillment", broker=os.environ["CELERY_BROKER_URL"])


def post_json(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST a JSON body and return the decoded answer; raises on 4xx/5xx."""
    resp = requests.post(url, json=payload)
    resp.raise_for_status()
    return resp.json()


def charge_payment(order: dict[str, Any]) -> dict[str, Any]:
    """Charge an order, waiting out payments outages; the key makes a repeat harmless."""
    while True:
        try:
            answer = requests.post(
                f"{PAYMENTS_URL}/charges",
                json={"account_id": order["customer_id"], "amount_cents": order["total_cents"]},
                headers={"Idempotency-Key": f"order-{order['id']}"},
                timeout=HTTP_TIMEOUT,
            )
        except requests.ConnectionError:
            log.warning("payments unreachable, retrying in 2s")
            time.sleep(2)
            continue
        if answer.status_code >= 500:
            time.sleep(2)
            continue
        answer.raise_for_status()
        return answer.json()


def main() -> None:
    consumer = KafkaConsumer(
        "order-events",
        bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        group_id="fulfillment",
        enable_auto_commit=False,
        value_deserializer=json.loads,
    )
    for message in consumer:
        event = message.value
        if event["type"] != "order_placed":
            consumer.commit()
            continue
        order = event["order"]

        with urllib.request.urlopen(f"{ORDERS_URL}/orders/{order['id']}") as current:
            if json.load(current)["status"] == "cancelled":
                consumer.commit()
                continue

        charge = charge_payment(order)
        reservation = post_json(
            f"{INVENTORY_URL}/reservations",
            {"order_id": order["id"], "sku": order["sku"], "quantity": order["quantity"]},
        )
        try:
            requests.put(
                f"{ORDERS_URL}/orders/{order['id']}/status",
                json={"status": "paid", "charge_id": charge["id"]},
                timeout=HTTP_TIMEOUT,
            )
        except Exception:
            log.exception("could not mark order %s paid", order["id"])

        celery.send_task("shipping_worker.tasks.ship_order", args=[order["id"], reservation["id"]])
        consumer.commit()
        log.info("order %s handed to shipping", order["id"])


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
