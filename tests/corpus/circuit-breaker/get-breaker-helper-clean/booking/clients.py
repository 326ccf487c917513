"""Calls guarded with `with get_breaker(name).calling():`."""

import os

import requests

from booking.resilience import get_breaker

PAYMENTS_URL = os.environ["PAYMENTS_URL"]


def charge(user_id: str, amount_cents: int) -> dict:
    with get_breaker("payments").calling():
        resp = requests.post(
            f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount_cents": amount_cents}, timeout=5
        )
    resp.raise_for_status()
    return resp.json()
