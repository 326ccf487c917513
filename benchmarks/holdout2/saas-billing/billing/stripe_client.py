"""The few Stripe endpoints billing uses, over plain httpx."""

import httpx
from billing.settings import settings
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random_exponential,
)

STRIPE_API = "https://api.stripe.com/v1"

stripe = httpx.Client(auth=(settings.stripe_secret_key, ""), timeout=15.0)


@retry(
    stop=stop_after_attempt(4),
    wait=wait_random_exponential(multiplier=0.5, max=8),
    retry=retry_if_exception_type(httpx.TransportError),
    reraise=True,
)
def create_invoice_item(customer: str, amount_cents: int, description: str, key: str) -> dict:
    item = stripe.post(
        f"{STRIPE_API}/invoiceitems",
        data={
            "customer": customer,
            "amount": amount_cents,
            "currency": "usd",
            "description": description,
        },
        headers={"Idempotency-Key": key},
    )
    item.raise_for_status()
    return item.json()


@retry(wait=wait_exponential(multiplier=1, max=30), stop=stop_after_delay(60), reraise=True)
def refund_charge(charge_id: str, amount_cents: int) -> dict:
    resp = stripe.post(f"{STRIPE_API}/refunds", data={"charge": charge_id, "amount": amount_cents})
    resp.raise_for_status()
    return resp.json()


def send_invoice(invoice_id: str, key: str) -> dict:
    resp = stripe.post(f"{STRIPE_API}/invoices/{invoice_id}/send", headers={"Idempotency-Key": key})
    resp.raise_for_status()
    return resp.json()
