import json
import logging
import os
import sqlite3

from confluent_kafka import Producer

log = logging.getLogger(__name__)
_producer = Producer({"bootstrap.servers": os.environ.get("KAFKA_BROKERS", "kafka:9092")})


def publish_event(topic: str, payload: dict) -> None:
    _producer.produce(topic, json.dumps(payload).encode())
    _producer.poll(0)


def adjust_stock(db: sqlite3.Connection, sku: str, delta: int) -> None:
    db.execute("UPDATE stock SET quantity = quantity + ? WHERE sku = ?", (delta, sku))
    db.commit()
    publish_event("stock.adjusted", {"sku": sku, "delta": delta})  # expect: SP902
    log.info("adjusted %s by %s", sku, delta)


def announce(sku: str) -> None:
    publish_event("stock.announced", {"sku": sku})
