"""Payments client."""

import os

import requests

PAYMENTS_URL = os.getenv("PAYMENTS_URL", "http://payments:8000")


class PaymentsClient:
    def charge(self, user_id: str, amount_cents: int) -> str:
        resp = requests.post(f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount_cents": amount_cents}, timeout=5)
        resp.raise_for_status()
        return resp.json()["id"]

    def refund(self, charge_id: str) -> None:
        requests.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5).raise_for_status()
