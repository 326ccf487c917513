"""Payments calls guarded by the project's breaker classes."""

import os

import requests

from booking.resilience import DownstreamBreaker, SlowDownstreamBreaker

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
session = requests.Session()


@DownstreamBreaker()
def charge(user_id: str, amount_cents: int) -> str:
    resp = session.post(
        f"{PAYMENTS_URL}/charges", json={"user": user_id, "amount": amount_cents}, timeout=5
    )
    resp.raise_for_status()
    return resp.json()["id"]


@SlowDownstreamBreaker(name="payments-reports")
def monthly_statement(user_id: str, month: str) -> bytes:
    resp = session.get(f"{PAYMENTS_URL}/statements/{user_id}/{month}", timeout=30)
    resp.raise_for_status()
    return resp.content
