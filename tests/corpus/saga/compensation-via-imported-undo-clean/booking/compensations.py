"""Compensating actions for book-trip."""

import os

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]


def refund_charge(client: httpx.Client, charge_id: str) -> None:
    client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}).raise_for_status()
