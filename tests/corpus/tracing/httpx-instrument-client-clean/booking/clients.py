"""A single shared httpx client, instrumented on its own."""

import os

import httpx
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

http_client = httpx.Client(timeout=5.0)
HTTPXClientInstrumentor.instrument_client(http_client)

PAYMENTS_URL = os.environ["PAYMENTS_URL"]


def charge(user_id: str, amount_cents: int) -> str:
    resp = http_client.post(
        f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount_cents": amount_cents}
    )
    resp.raise_for_status()
    return resp.json()["id"]


def refund(charge_id: str) -> None:
    http_client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}).raise_for_status()
