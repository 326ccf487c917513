"""Re-publishes the current state of products for downstream rebuilds (reads only)."""

import json
import os

from confluent_kafka import Producer
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["CATALOG_DATABASE_URL"])
producer = Producer({"bootstrap.servers": os.environ["KAFKA_BROKERS"]})


def republish_category(category: str) -> int:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, title, price_cents FROM products WHERE category = :c"), {"c": category}
        ).mappings().all()
    for row in rows:
        producer.produce("products.snapshot", key=str(row["id"]), value=json.dumps(dict(row)))
    producer.flush(10)
    return len(rows)
