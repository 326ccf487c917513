import json
import logging
import os

import psycopg
from confluent_kafka import Producer

log = logging.getLogger(__name__)
producer = Producer({"bootstrap.servers": os.environ["KAFKA_BROKERS"], "enable.idempotence": True})


def _delivery(err, msg) -> None:
    if err is not None:
        log.error("delivery failed for %s: %s", msg.key(), err)


def mark_delivered(conn: psycopg.Connection, shipment_id: str, signed_by: str) -> None:
    with conn.transaction():
        conn.execute(
            "UPDATE shipments SET status = 'delivered', signed_by = %s WHERE id = %s",
            (signed_by, shipment_id),
        )
    producer.produce(  # expect: SP902
        "shipments",
        key=shipment_id,
        value=json.dumps({"id": shipment_id, "status": "delivered"}),
        on_delivery=_delivery,
    )
    producer.poll(0)


def shipment_status(conn: psycopg.Connection, shipment_id: str) -> str:
    row = conn.execute("SELECT status FROM shipments WHERE id = %s", (shipment_id,)).fetchone()
    return row[0]
