"""One breaker per downstream service, kept in a registry."""

import os

import pybreaker
import requests

BASE_URLS = {"payments": os.environ["PAYMENTS_URL"], "flights": os.environ["FLIGHTS_URL"]}
BREAKERS: dict[str, pybreaker.CircuitBreaker] = {
    name: pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name=name) for name in BASE_URLS
}
session = requests.Session()


def charge(user_id: str, amount_cents: int) -> dict:
    with BREAKERS["payments"].calling():
        resp = session.post(
            f"{BASE_URLS['payments']}/charges",
            json={"user_id": user_id, "amount_cents": amount_cents},
            timeout=5,
        )
    resp.raise_for_status()
    return resp.json()


def seat_count(flight_id: str) -> int:
    breaker = BREAKERS["flights"]
    with breaker.calling():
        resp = session.get(f"{BASE_URLS['flights']}/flights/{flight_id}", timeout=3)
    return resp.json()["seats_left"]
