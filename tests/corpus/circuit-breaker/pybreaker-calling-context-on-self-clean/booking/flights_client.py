"""Flights client with its own breaker instance."""

from __future__ import annotations

import os

import pybreaker
import requests


class FlightsClient:
    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = base_url or os.environ["FLIGHTS_URL"]
        self.session = requests.Session()
        self.cb = pybreaker.CircuitBreaker(fail_max=4, reset_timeout=15, name="flights")

    def reserve(self, flight_id: str, user_id: str) -> str:
        with self.cb.calling():
            resp = self.session.post(
                f"{self.base_url}/reservations",
                json={"flight_id": flight_id, "user_id": user_id},
                timeout=5,
            )
            resp.raise_for_status()
        return resp.json()["id"]

    def cancel(self, reservation_id: str) -> None:
        with self.cb.calling():
            self.session.delete(f"{self.base_url}/reservations/{reservation_id}", timeout=5)

    def availability(self, flight_id: str) -> int:
        with self.cb.calling():
            resp = self.session.get(f"{self.base_url}/flights/{flight_id}", timeout=2)
        return int(resp.json()["seats_left"])
