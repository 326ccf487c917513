"""Invoicing worker: applies payment events from the payment provider's webhook queue."""

import logging
import os

import requests
from celery import Celery

logger = logging.getLogger("invoicing")

BILLING_BASE_URL = os.environ.get("BILLING_BASE_URL", "http://billing:8000")

celery_app = Celery("invoicing", broker=os.environ["CELERY_BROKER_URL"])


@celery_app.task(acks_late=True)
def apply_payment(invoice_id: int, amount_cents: int, provider_ref: str) -> None:
    resp = requests.post(
        f"{BILLING_BASE_URL}/invoices/{invoice_id}/payments",
        json={"amount_cents": amount_cents, "provider_ref": provider_ref},
    )
    resp.raise_for_status()
    logger.info("invoice %s paid (%s)", invoice_id, provider_ref)
