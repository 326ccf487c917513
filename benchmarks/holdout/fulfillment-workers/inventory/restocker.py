"""Restocker: puts a cancelled order's stock back on sale.

Consumes `order_cancelled` events from the order-events topic; run it next to
the inventory API with `python -m inventory.restocker`.
"""

import json
import logging
import os

import redis
from confluent_kafka import Consumer

log = logging.getLogger("inventory.restocker")
r = redis.Redis.from_url(os.environ["INVENTORY_REDIS_URL"], decode_responses=True)


def main() -> None:
    consumer = Consumer(
        {
            "bootstrap.servers": os.environ["KAFKA_BOOTSTRAP_SERVERS"],
            "group.id": "inventory-restocker",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe(["order-events"])
    try:
        while True:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                log.error("kafka error: %s", msg.error())
                continue
            event = json.loads(msg.value())
            if event["type"] == "order_cancelled":
                r.incrby(f"stock:{event['sku']}", event["quantity"])
                log.info("restocked %s x %s", event["quantity"], event["sku"])
            consumer.commit(message=msg, asynchronous=False)
    finally:
        consumer.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
