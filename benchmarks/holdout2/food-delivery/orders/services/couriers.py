"""Deliveries booked with the courier fleet."""

import os

import requests
from circuitbreaker import circuit

COURIERS_URL = os.environ["COURIERS_URL"]


class CourierUnavailableError(Exception):
    """No courier can take the delivery right now."""


class CourierClient:
    def __init__(self) -> None:
        self.http = requests.Session()

    @circuit(failure_threshold=3, recovery_timeout=20)
    def book(self, order_id: str, address: str) -> dict:
        resp = self.http.post(
            f"{COURIERS_URL}/deliveries",
            json={"order_id": order_id, "address": address},
            timeout=5,
        )
        if resp.status_code == 409:
            raise CourierUnavailableError(order_id)
        resp.raise_for_status()
        return resp.json()

    @circuit(failure_threshold=3, recovery_timeout=20)
    def cancel(self, delivery_id: int) -> None:
        resp = self.http.delete(
            f"{COURIERS_URL}/deliveries/{delivery_id}",
            headers={"Idempotency-Key": f"cancel-delivery-{delivery_id}"},
            timeout=5,
        )
        resp.raise_for_status()
