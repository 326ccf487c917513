"""Every outgoing request builds its headers through one helper that injects context."""

import os

import httpx
from opentelemetry.propagate import inject

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
client = httpx.Client(timeout=5.0)


def _outgoing_headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    headers = {"Accept": "application/json", **(extra or {})}
    inject(headers)
    return headers


def charge(user_id: str, amount_cents: int, key: str) -> str:
    resp = client.post(
        f"{PAYMENTS_URL}/charges",
        json={"user_id": user_id, "amount_cents": amount_cents},
        headers=_outgoing_headers({"Idempotency-Key": key}),
    )
    resp.raise_for_status()
    return resp.json()["id"]


def flight(flight_id: str) -> dict:
    headers = _outgoing_headers()
    return client.get(f"{FLIGHTS_URL}/flights/{flight_id}", headers=headers).json()
