"""Kafka loop delegating to a handler that checks for duplicates first."""

import json

import redis
from kafka import KafkaConsumer
from sqlalchemy.orm import Session

from inventory.db import SessionLocal
from inventory.models import StockMovement

cache = redis.Redis(host="redis")


def is_duplicate(event_id: str) -> bool:
    return not cache.set(f"stock-event:{event_id}", 1, nx=True, ex=86400)


def apply_movement(session: Session, event: dict) -> None:
    if is_duplicate(event["event_id"]):
        return
    session.add(StockMovement(sku=event["sku"], delta=event["delta"]))
    session.commit()


def main() -> None:
    consumer = KafkaConsumer("inventory.movements", bootstrap_servers="kafka:9092", group_id="inv")
    with SessionLocal() as session:
        for record in consumer:
            apply_movement(session, json.loads(record.value))


if __name__ == "__main__":
    main()
