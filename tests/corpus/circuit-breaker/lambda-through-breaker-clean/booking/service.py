"""Booking service layer: inline lambdas run through the breakers."""

from dataclasses import dataclass

import pybreaker
import requests

from booking.settings import settings

payments_cb = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)
flights_cb = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)
session = requests.Session()


@dataclass
class Trip:
    user_id: str
    flight_id: str
    amount_cents: int


def book(trip: Trip) -> tuple[str, str]:
    charge = payments_cb.call(
        lambda: session.post(
            f"{settings.payments_url}/charges",
            json={"user_id": trip.user_id, "amount_cents": trip.amount_cents},
            timeout=5,
        )
    )
    charge.raise_for_status()
    seat = flights_cb.call(
        lambda: session.post(
            f"{settings.flights_url}/reservations",
            json={"flight_id": trip.flight_id, "user_id": trip.user_id},
            timeout=5,
        )
    )
    seat.raise_for_status()
    return charge.json()["id"], seat.json()["id"]
