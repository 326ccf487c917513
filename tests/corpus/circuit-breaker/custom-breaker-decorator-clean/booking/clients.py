"""Downstream clients for booking."""

import os

import httpx

from booking.resilience import with_breaker

client = httpx.Client(timeout=5.0)


@with_breaker("payments")
def charge(user_id: str, amount_cents: int) -> str:
    resp = client.post(
        f"{os.environ['PAYMENTS_URL']}/charges",
        json={"user_id": user_id, "amount_cents": amount_cents},
    )
    resp.raise_for_status()
    return resp.json()["id"]


@with_breaker("flights")
def reserve(flight_id: str, user_id: str) -> str:
    resp = client.post(
        f"{os.environ['FLIGHTS_URL']}/reservations",
        json={"flight_id": flight_id, "user_id": user_id},
    )
    resp.raise_for_status()
    return resp.json()["id"]
