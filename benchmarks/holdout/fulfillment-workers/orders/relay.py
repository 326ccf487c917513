"""Outbox relay: publishes committed outbox rows to Kafka, oldest first.

Run as `python -m orders.relay`; several relays may run, SKIP LOCKED keeps
them off each other's rows.
"""

import logging
import time

from orders.app import pool, producer

log = logging.getLogger("orders.relay")
BATCH_SIZE = 100


def relay_once() -> int:
    with pool.connection() as conn, conn.transaction():
        rows = conn.execute(
            "SELECT id, topic, payload FROM outbox WHERE sent_at IS NULL "
            "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            (BATCH_SIZE,),
        ).fetchall()
        for outbox_id, topic, payload in rows:
            producer.send(topic, payload).get(timeout=10)
            conn.execute("UPDATE outbox SET sent_at = now() WHERE id = %s", (outbox_id,))
    return len(rows)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    while True:
        if relay_once() == 0:
            time.sleep(0.5)
