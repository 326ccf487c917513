"""Manual propagation, done wrong twice."""

import os

import requests
from opentelemetry.propagate import inject

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


def charge(user_id: str, amount_cents: int) -> dict:
    carrier: dict[str, str] = {}
    inject(carrier)
    headers = {"Content-Type": "application/json"}
    resp = requests.post(  # expect: SP601
        f"{PAYMENTS_URL}/charges",
        json={"user_id": user_id, "amount_cents": amount_cents},
        headers=headers,
        timeout=5,
    )
    resp.raise_for_status()
    return resp.json()


def reserve(flight_id: str, user_id: str) -> dict:
    headers = {"Accept": "application/json"}
    resp = requests.post(  # expect: SP601
        f"{FLIGHTS_URL}/reservations",
        json={"flight_id": flight_id, "user_id": user_id},
        headers=headers,
        timeout=5,
    )
    inject(headers)
    resp.raise_for_status()
    return resp.json()
