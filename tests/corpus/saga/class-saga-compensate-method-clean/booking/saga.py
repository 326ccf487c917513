"""A saga class whose failure path calls its own compensation methods."""

from __future__ import annotations

import os

import httpx


class BookTripSaga:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.payments = os.environ["PAYMENTS_URL"]
        self.flights = os.environ["FLIGHTS_URL"]
        self.charge_id: str | None = None

    def _refund(self) -> None:
        if self.charge_id:
            self.client.post(f"{self.payments}/refunds", json={"charge_id": self.charge_id})

    def run(self, user_id: str, flight_id: str, amount: int) -> dict:
        charge = self.client.post(f"{self.payments}/charges", json={"user": user_id, "amount": amount})
        charge.raise_for_status()
        self.charge_id = charge.json()["id"]
        try:
            seat = self.client.post(f"{self.flights}/reservations", json={"flight": flight_id})
            seat.raise_for_status()
        except httpx.HTTPError:
            self._refund()
            raise
        return {"charge": self.charge_id, "seat": seat.json()["id"]}
