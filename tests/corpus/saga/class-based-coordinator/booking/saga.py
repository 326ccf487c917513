"""A saga class whose run method forgets the undo path."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

import httpx

log = logging.getLogger(__name__)


@dataclass
class TripSaga:
    user_id: str
    flight_id: str
    hotel_id: str
    amount_cents: int
    completed: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._http = httpx.Client(timeout=5.0)
        self._payments = os.environ["PAYMENTS_URL"]
        self._flights = os.environ["FLIGHTS_URL"]
        self._hotels = os.environ["HOTELS_URL"]

    def run(self) -> dict:
        charge = self._http.post(f"{self._payments}/charges", json={"amount": self.amount_cents})
        charge.raise_for_status()
        self.completed.append("charge")
        flight = self._http.post(f"{self._flights}/reservations", json={"flight": self.flight_id})  # expect: SP502
        flight.raise_for_status()
        self.completed.append("flight")
        hotel = self._http.post(f"{self._hotels}/reservations", json={"hotel": self.hotel_id})
        hotel.raise_for_status()
        self.completed.append("hotel")
        log.info("trip booked for %s: %s", self.user_id, self.completed)
        return {"charge": charge.json()["id"], "flight": flight.json()["id"], "hotel": hotel.json()["id"]}
