"""Orders with stormproof.kit's outbox: the event is stored in the same transaction."""

import os
import uuid

from sqlalchemy import create_engine, text
from stormproof.kit.outbox import Outbox

engine = create_engine(os.environ["ORDERS_DATABASE_URL"])
outbox = Outbox(engine, table="orders_outbox")


def place_order(customer_id: str, total_cents: int) -> str:
    order_id = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO orders (id, customer_id, total_cents) VALUES (:i, :c, :t)"),
            {"i": order_id, "c": customer_id, "t": total_cents},
        )
        outbox.publish(conn, "orders.placed", {"order_id": order_id, "total": total_cents})
    return order_id
