"""Downstream calls guarded by the `circuitbreaker` package."""

import os

import httpx
from circuitbreaker import circuit

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


@circuit
def get_flight(flight_id: str) -> dict:
    resp = httpx.get(f"{FLIGHTS_URL}/flights/{flight_id}", timeout=3.0)
    resp.raise_for_status()
    return resp.json()


@circuit(failure_threshold=5, recovery_timeout=30, expected_exception=httpx.HTTPError)
def create_charge(user_id: str, amount_cents: int) -> str:
    resp = httpx.post(
        f"{PAYMENTS_URL}/charges",
        json={"user_id": user_id, "amount_cents": amount_cents},
        timeout=5.0,
    )
    resp.raise_for_status()
    return resp.json()["id"]


class PaymentsApi:
    def __init__(self) -> None:
        self._client = httpx.AsyncClient(base_url=PAYMENTS_URL, timeout=5.0)

    @circuit(failure_threshold=3, recovery_timeout=10)
    async def refund(self, charge_id: str) -> None:
        resp = await self._client.post("/refunds", json={"charge_id": charge_id})
        resp.raise_for_status()
