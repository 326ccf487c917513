"""Consumes payment events into the ledger; offsets are committed after the DB commit."""

import json
import os

import psycopg2
from kafka import KafkaConsumer

conn = psycopg2.connect(os.environ["LEDGER_DSN"])
consumer = KafkaConsumer(
    "payments.captured",
    bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"],
    group_id="ledger",
    enable_auto_commit=False,
    value_deserializer=json.loads,
)


def run() -> None:
    for message in consumer:
        event = message.value
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO entries (event_id, account, amount) VALUES (%s, %s, %s) "
                "ON CONFLICT (event_id) DO NOTHING",
                (event["id"], event["account"], event["amount"]),
            )
        conn.commit()
        consumer.commit()
