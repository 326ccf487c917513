"""Payments client with static service headers."""

import os
import uuid

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
SERVICE_HEADERS = {
    "User-Agent": "booking/1.4",
    "X-Service-Name": "booking",
    "Authorization": f"Bearer {os.environ.get('PAYMENTS_TOKEN', '')}",
}


class PaymentsClient:
    def __init__(self) -> None:
        self._client = httpx.Client(base_url=PAYMENTS_URL, timeout=5.0, headers=SERVICE_HEADERS)

    def charge(self, user_id: str, amount_cents: int) -> str:
        resp = self._client.post(  # expect: SP601
            "/charges",
            json={"user_id": user_id, "amount_cents": amount_cents},
            headers={"X-Request-ID": str(uuid.uuid4())},
        )
        resp.raise_for_status()
        return resp.json()["id"]

    def refund(self, charge_id: str) -> None:
        self._client.post("/refunds", json={"charge_id": charge_id}, headers=SERVICE_HEADERS)  # expect: SP601


def charge_status(charge_id: str) -> str:
    resp = httpx.get(f"{PAYMENTS_URL}/charges/{charge_id}", headers={**SERVICE_HEADERS}, timeout=2)  # expect: SP601
    return resp.json()["status"]
