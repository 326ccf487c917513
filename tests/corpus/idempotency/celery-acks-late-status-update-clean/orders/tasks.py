"""acks_late task that only sets a status: a second run leaves the same row."""

import os

from celery import Celery
from sqlalchemy import create_engine, text

app = Celery("orders", broker=os.environ["BROKER_URL"])
engine = create_engine(os.environ["ORDERS_DSN"])


@app.task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=5)
def mark_shipped(order_id: str, tracking: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE orders SET status = 'shipped', tracking = :t WHERE id = :o"),
            {"t": tracking, "o": order_id},
        )
