"""Outbox relay: publishes committed events, then marks them sent (at-least-once)."""

import logging
import sqlite3
import time

import pika

log = logging.getLogger("relay")


def relay_forever(db_path: str, amqp_url: str) -> None:
    db = sqlite3.connect(db_path)
    channel = pika.BlockingConnection(pika.URLParameters(amqp_url)).channel()
    channel.confirm_delivery()
    while True:
        rows = db.execute(
            "SELECT id, topic, payload FROM outbox WHERE sent_at IS NULL ORDER BY rowid LIMIT 100"
        ).fetchall()
        for event_id, topic, payload in rows:
            channel.basic_publish(
                exchange="events",
                routing_key=topic,
                body=payload,
                properties=pika.BasicProperties(message_id=event_id, delivery_mode=2),
            )
            with db:
                db.execute("UPDATE outbox SET sent_at = CURRENT_TIMESTAMP WHERE id = ?", (event_id,))
        if not rows:
            time.sleep(0.5)
        log.debug("relayed %d events", len(rows))
