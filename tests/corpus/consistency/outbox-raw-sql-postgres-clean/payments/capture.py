import json
import os
import uuid

import psycopg2
import psycopg2.extras

conn = psycopg2.connect(os.environ["PAYMENTS_DSN"])


def capture(order_id: str, amount_cents: int) -> str:
    payment_id = str(uuid.uuid4())
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO payments (id, order_id, amount_cents) VALUES (%s, %s, %s)",
            (payment_id, order_id, amount_cents),
        )
        cur.execute(
            "INSERT INTO payment_outbox (event_type, payload) VALUES (%s, %s)",
            ("payment.captured", psycopg2.extras.Json({"id": payment_id, "order": order_id})),
        )
    return payment_id


def pending_events(limit: int = 100) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute("SELECT id, event_type, payload FROM payment_outbox WHERE published = false LIMIT %s", (limit,))
        return [(r[0], r[1], json.dumps(r[2])) for r in cur.fetchall()]
