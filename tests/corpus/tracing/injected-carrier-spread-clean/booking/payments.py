"""The injected carrier is spread into the request headers."""

import os

import requests
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
API_KEY = os.environ.get("PAYMENTS_API_KEY", "")


def charge(user_id: str, amount_cents: int) -> dict:
    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    headers = {**carrier, "X-Api-Key": API_KEY}
    resp = requests.post(
        f"{PAYMENTS_URL}/charges",
        json={"user_id": user_id, "amount_cents": amount_cents},
        headers=headers,
        timeout=5,
    )
    resp.raise_for_status()
    return resp.json()
