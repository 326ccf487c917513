"""Refund eligibility. Peeks into the payments database to save an HTTP round trip."""

import os
from datetime import datetime, timedelta, timezone

import psycopg2

ORDERS_DSN = os.environ["ORDERS_DATABASE_URL"]
PAYMENTS_DSN = os.environ["PAYMENTS_DB_DSN"]  # expect: SP803


def refundable(order_id: str) -> bool:
    with psycopg2.connect(ORDERS_DSN) as conn, conn.cursor() as cur:
        cur.execute("SELECT placed_at FROM orders WHERE id = %s", (order_id,))
        (placed_at,) = cur.fetchone()
    if datetime.now(timezone.utc) - placed_at > timedelta(days=30):
        return False
    with psycopg2.connect(PAYMENTS_DSN) as conn, conn.cursor() as cur:
        cur.execute("SELECT status FROM charges WHERE order_id = %s", (order_id,))
        row = cur.fetchone()
    return row is not None and row[0] == "captured"
