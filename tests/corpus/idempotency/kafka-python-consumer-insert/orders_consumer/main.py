"""Consumes order events and records them in the ledger."""

import json
import logging
import os

import psycopg2
from kafka import KafkaConsumer

log = logging.getLogger("orders-consumer")


def main() -> None:
    consumer = KafkaConsumer(
        "orders.created",
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP", "kafka:9092"),
        group_id="ledger",
        enable_auto_commit=False,
        value_deserializer=lambda v: json.loads(v.decode("utf-8")),
    )
    conn = psycopg2.connect(os.environ["LEDGER_DSN"])
    for message in consumer:  # expect: SP402
        event = message.value
        with conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO ledger_entries (order_id, amount_cents) VALUES (%s, %s)",
                (event["order_id"], event["amount_cents"]),
            )
        consumer.commit()
        log.info("recorded order %s", event["order_id"])


if __name__ == "__main__":
    main()
