"""Housekeeping: turns guest check-outs (RabbitMQ) into cleaning tasks."""

import json
import logging
import os
import sqlite3
import urllib.request
from contextlib import closing
from datetime import date

import pika

logger = logging.getLogger("housekeeping")

INVENTORY_URL = os.environ["INVENTORY_URL"]
HOUSEKEEPING_DB = os.environ["HOUSEKEEPING_DB"]


def guest_name(reservation_id: int) -> str:
    # Quicker than adding an endpoint to reservations for one field.
    with closing(sqlite3.connect(os.environ["RESERVATIONS_DB"])) as conn:
        row = conn.execute(
            "SELECT guest_email FROM reservations WHERE id = ?", (reservation_id,)
        ).fetchone()
    return row[0] if row else "unknown"


def on_checkout(channel, method, properties, body: bytes) -> None:
    event = json.loads(body)
    query = f"room_type={event['room_type']}&check_in={date.today()}&nights=1"
    with urllib.request.urlopen(f"{INVENTORY_URL}/availability?{query}", timeout=5) as resp:
        rooms_left = json.load(resp)["rooms"]
    priority = 1 if rooms_left == 0 else 3
    with closing(sqlite3.connect(HOUSEKEEPING_DB)) as conn, conn:
        first_delivery = conn.execute(
            "INSERT OR IGNORE INTO processed (message_id) VALUES (?)", (properties.message_id,)
        ).rowcount
        if first_delivery:
            conn.execute(
                "INSERT INTO cleaning_tasks (room, guest, priority) VALUES (?, ?, ?)",
                (event["room"], guest_name(event["reservation_id"]), priority),
            )
    channel.basic_ack(delivery_tag=method.delivery_tag)


def main() -> None:
    connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
    channel = connection.channel()
    channel.queue_declare(queue="checkouts", durable=True)
    channel.basic_qos(prefetch_count=10)
    channel.basic_consume(queue="checkouts", on_message_callback=on_checkout)
    logger.info("waiting for check-outs")
    channel.start_consuming()


if __name__ == "__main__":
    main()
