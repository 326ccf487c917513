"""Talks to Stripe and the exchange-rate API; neither is a service of this system."""

import os

import httpx
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    stripe_api_base: str = "https://api.stripe.com"
    stripe_secret_key: str = ""
    fx_rates_url: str = "https://api.exchangerate.host/latest"
    ledger_url: str = "http://ledger:8000"


settings = Settings()
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")


def create_payment_intent(amount: int, currency: str, key: str) -> dict:
    resp = httpx.post(
        f"{settings.stripe_api_base}/v1/payment_intents",
        data={"amount": amount, "currency": currency},
        auth=(settings.stripe_secret_key, ""),
        headers={"Idempotency-Key": key},
        timeout=10,
    )
    resp.raise_for_status()
    return resp.json()


def rate(base: str, quote: str) -> float:
    resp = httpx.get(settings.fx_rates_url, params={"base": base, "symbols": quote}, timeout=5)
    return resp.json()["rates"][quote]


def post_entry(entry: dict) -> None:
    httpx.post(f"{settings.ledger_url}/entries", json=entry, timeout=5).raise_for_status()
