"""Tickets in restaurant kitchens."""

import os

import requests

RESTAURANTS_URL = os.environ["RESTAURANTS_URL"]


class KitchenClient:
    def __init__(self, timeout: float = 3.0) -> None:
        self._session = requests.Session()
        self._timeout = timeout

    def open_ticket(self, order_id: str, restaurant_id: str, items: list[dict]) -> dict:
        resp = self._session.post(
            f"{RESTAURANTS_URL}/tickets",
            json={"order_id": order_id, "restaurant_id": restaurant_id, "items": items},
            headers={"Idempotency-Key": f"ticket-{order_id}"},
            timeout=self._timeout,
        )
        resp.raise_for_status()
        return resp.json()

    def cancel_ticket(self, ticket_id: int) -> None:
        resp = self._session.delete(f"{RESTAURANTS_URL}/tickets/{ticket_id}", timeout=self._timeout)
        resp.raise_for_status()
