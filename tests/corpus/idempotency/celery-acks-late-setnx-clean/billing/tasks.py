"""acks_late task deduplicated with SET NX on the task's business key."""

import os

import redis
from celery import Celery
from sqlalchemy import create_engine, text

app = Celery("billing", broker=os.environ["BROKER_URL"])
r = redis.Redis.from_url(os.environ["REDIS_URL"])
engine = create_engine(os.environ["BILLING_DSN"])


@app.task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=5)
def record_invoice(order_id: str, amount_cents: int) -> None:
    if not r.set(f"invoice-recorded:{order_id}", 1, nx=True, ex=7 * 86400):
        return
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO invoices (order_id, amount_cents) VALUES (:o, :a)"),
            {"o": order_id, "a": amount_cents},
        )
