"""Downstream clients built on stormproof's resilient client (it propagates traceparent)."""

import os

from stormproof.kit import Client

payments = Client("payments", base_url=os.environ["PAYMENTS_URL"])
flights = Client("flights", base_url=os.environ["FLIGHTS_URL"])


def charge(user_id: str, amount_cents: int) -> str:
    return payments.post("/charges", json={"user_id": user_id, "amount_cents": amount_cents}).json()["id"]


def reserve(flight_id: str, user_id: str) -> str:
    return flights.post("/reservations", json={"flight_id": flight_id, "user_id": user_id}).json()["id"]
