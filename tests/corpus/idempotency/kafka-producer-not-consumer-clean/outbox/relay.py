"""Outbox relay: reads unsent rows and produces them; it consumes nothing."""

import json
import sqlite3
import time

from kafka import KafkaProducer

producer = KafkaProducer(
    bootstrap_servers="kafka:9092", value_serializer=lambda v: json.dumps(v).encode()
)
db = sqlite3.connect("orders.db")


def relay_once() -> int:
    rows = db.execute("SELECT id, topic, payload FROM outbox WHERE sent_at IS NULL LIMIT 100").fetchall()
    for row_id, topic, payload in rows:
        producer.send(topic, json.loads(payload)).get(timeout=10)
        db.execute("UPDATE outbox SET sent_at = CURRENT_TIMESTAMP WHERE id = ?", (row_id,))
    db.commit()
    return len(rows)


if __name__ == "__main__":
    while True:
        if relay_once() == 0:
            time.sleep(1)
