"""Orders with stormproof.kit's outbox: the event is stored in the same transaction."""

import os
import sqlite3
import uuid
from contextlib import closing

from stormproof.kit import SqliteOutbox

DB_PATH = os.environ["ORDERS_DB"]
outbox = SqliteOutbox(DB_PATH)


def place_order(customer_id: str, total_cents: int) -> str:
    order_id = str(uuid.uuid4())
    with closing(sqlite3.connect(DB_PATH)) as conn, conn:
        conn.execute(
            "INSERT INTO orders (id, customer_id, total_cents) VALUES (?, ?, ?)",
            (order_id, customer_id, total_cents),
        )
        outbox.add(conn, "orders.placed", {"order_id": order_id, "total": total_cents})
    return order_id
