"""Inventory events: the loop hands each record to a handler."""

import json
import os

from kafka import KafkaConsumer
from sqlalchemy.orm import Session

from inventory_events.db import SessionLocal
from inventory_events.models import StockMovement


def handle_stock_event(session: Session, event: dict) -> None:  # expect: SP402
    session.add(StockMovement(sku=event["sku"], delta=event["delta"], reason=event["reason"]))
    session.commit()


def main() -> None:
    consumer = KafkaConsumer(
        "inventory.movements",
        bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"],
        group_id="inventory-projector",
        value_deserializer=json.loads,
    )
    with SessionLocal() as session:
        for record in consumer:
            handle_stock_event(session, record.value)


if __name__ == "__main__":
    main()
