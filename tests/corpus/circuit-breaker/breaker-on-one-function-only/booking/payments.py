"""Calls to the payments service."""

import os

import pybreaker
import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]

payments_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)


@payments_breaker
def charge(user_id: str, amount_cents: int, idempotency_key: str) -> dict:
    resp = requests.post(
        f"{PAYMENTS_URL}/charges",
        json={"user_id": user_id, "amount_cents": amount_cents},
        headers={"Idempotency-Key": idempotency_key},
        timeout=5,
    )
    resp.raise_for_status()
    return resp.json()


def refund(charge_id: str) -> None:
    # The refund path was added later and nobody put it behind the breaker.
    resp = requests.post(  # expect: SP301
        f"{PAYMENTS_URL}/refunds",
        json={"charge_id": charge_id},
        timeout=5,
    )
    resp.raise_for_status()


def charge_status(charge_id: str) -> str:
    resp = requests.get(f"{PAYMENTS_URL}/charges/{charge_id}", timeout=2)  # expect: SP301
    return resp.json()["status"]
