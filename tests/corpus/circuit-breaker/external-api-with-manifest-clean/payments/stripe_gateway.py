"""Card processing through the provider's public API (not a service of this system)."""

import os

import requests

STRIPE_API = "https://api.stripe.com/v1"
STRIPE_KEY = os.environ.get("STRIPE_SECRET_KEY", "")


def create_payment_intent(amount_cents: int, currency: str = "eur") -> str:
    resp = requests.post(
        f"{STRIPE_API}/payment_intents",
        data={"amount": amount_cents, "currency": currency},
        auth=(STRIPE_KEY, ""),
        timeout=10,
    )
    resp.raise_for_status()
    return resp.json()["id"]


def refund_payment_intent(intent_id: str) -> None:
    requests.post(
        "https://api.stripe.com/v1/refunds",
        data={"payment_intent": intent_id},
        auth=(STRIPE_KEY, ""),
        timeout=10,
    ).raise_for_status()
