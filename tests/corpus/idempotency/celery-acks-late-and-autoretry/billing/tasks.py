"""Celery tasks for billing."""

import os

import httpx
from celery import Celery, shared_task
from sqlalchemy import create_engine, text

app = Celery("billing", broker=os.environ.get("CELERY_BROKER_URL", "redis://redis:6379/0"))
engine = create_engine(os.environ["BILLING_DSN"])


@app.task(acks_late=True)
def record_invoice(order_id: str, amount_cents: int) -> None:  # expect: SP402
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO invoices (order_id, amount_cents) VALUES (:o, :a)"),
            {"o": order_id, "a": amount_cents},
        )


@shared_task(autoretry_for=(httpx.HTTPError,), retry_backoff=True, max_retries=5)
def push_to_accounting(invoice_id: int) -> None:  # expect: SP402
    resp = httpx.post(
        os.environ["ACCOUNTING_URL"] + "/entries", json={"invoice_id": invoice_id}, timeout=10.0
    )
    resp.raise_for_status()


@app.task
def send_receipt_email(order_id: str) -> None:
    httpx.post(os.environ["MAILER_URL"] + "/receipts", json={"order_id": order_id}, timeout=10.0)
