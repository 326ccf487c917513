"""Manual W3C propagation into the outgoing headers."""

import os

import requests
from opentelemetry import trace
from opentelemetry.propagate import inject

tracer = trace.get_tracer(__name__)
PAYMENTS_URL = os.environ["PAYMENTS_URL"]


def charge(user_id: str, amount_cents: int, key: str) -> dict:
    with tracer.start_as_current_span("payments.charge"):
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        inject(headers)
        resp = requests.post(
            f"{PAYMENTS_URL}/charges",
            json={"user_id": user_id, "amount_cents": amount_cents},
            headers=headers,
            timeout=5,
        )
    resp.raise_for_status()
    return resp.json()


def refund(charge_id: str) -> None:
    headers: dict[str, str] = {}
    inject(carrier=headers)
    requests.post(
        f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, headers=headers, timeout=5
    ).raise_for_status()
