"""Ledger consumer: skips events whose id is already in processed_events."""

import json
import os

import psycopg2
from kafka import KafkaConsumer


def main() -> None:
    consumer = KafkaConsumer(
        "orders.created",
        bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"],
        group_id="ledger",
        enable_auto_commit=False,
    )
    conn = psycopg2.connect(os.environ["LEDGER_DSN"])
    for message in consumer:
        event = json.loads(message.value)
        with conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM processed_events WHERE event_id = %s", (event["event_id"],))
            if cur.fetchone():
                consumer.commit()
                continue
            cur.execute(
                "INSERT INTO ledger_entries (order_id, amount_cents) VALUES (%s, %s)",
                (event["order_id"], event["amount_cents"]),
            )
            cur.execute("INSERT INTO processed_events (event_id) VALUES (%s)", (event["event_id"],))
        consumer.commit()


if __name__ == "__main__":
    main()
