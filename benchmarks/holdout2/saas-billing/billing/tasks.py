"""Billing's background jobs (Celery)."""

import psycopg
from billing import stripe_client
from billing.settings import settings
from celery import Celery

celery_app = Celery("billing", broker=settings.celery_broker_url)


@celery_app.task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_receipt(invoice_id: int) -> None:
    with psycopg.connect(settings.billing_database_url) as conn:
        first = conn.execute(
            "INSERT INTO receipts_sent (invoice_id) VALUES (%s) ON CONFLICT DO NOTHING",
            (invoice_id,),
        ).rowcount
        if not first:
            return
        stripe_id = conn.execute(
            "SELECT stripe_invoice_id FROM invoices WHERE id = %s", (invoice_id,)
        ).fetchone()[0]
        stripe_client.send_invoice(stripe_id, key=f"receipt-{invoice_id}")
