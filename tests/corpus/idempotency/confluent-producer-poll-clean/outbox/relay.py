"""Outbox relay on confluent-kafka: `producer.poll()` serves delivery reports, it consumes nothing."""

import sqlite3
import time

from confluent_kafka import Producer

producer = Producer({"bootstrap.servers": "kafka:9092", "enable.idempotence": True})
db = sqlite3.connect("orders.db")


def on_delivery(err, msg) -> None:
    if err is None:
        db.execute("UPDATE outbox SET sent_at = CURRENT_TIMESTAMP WHERE id = ?", (msg.key().decode(),))
        db.commit()


def run() -> None:
    while True:
        rows = db.execute("SELECT id, topic, payload FROM outbox WHERE sent_at IS NULL").fetchall()
        for row_id, topic, payload in rows:
            producer.produce(topic, key=str(row_id), value=payload, on_delivery=on_delivery)
            db.execute("INSERT INTO relay_log (outbox_id) VALUES (?)", (row_id,))
        producer.poll(0.5)
        db.commit()
        time.sleep(1)


if __name__ == "__main__":
    run()
