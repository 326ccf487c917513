"""One helper for every JSON POST booking makes; breakers are per downstream."""

import logging
import os

import pybreaker
import requests

log = logging.getLogger("booking.downstream")

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]

flights_breaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=20, name="flights")


def _post_json(url: str, payload: dict) -> dict:
    log.debug("POST %s", url)
    resp = requests.post(url, json=payload, timeout=5)
    resp.raise_for_status()
    return resp.json()


def charge(user_id: str, amount_cents: int) -> str:
    body = _post_json(f"{PAYMENTS_URL}/charges", {"user": user_id, "amount": amount_cents})  # expect: SP301
    return body["id"]


def refund(charge_id: str) -> None:
    _post_json(PAYMENTS_URL + "/refunds", {"charge_id": charge_id})  # expect: SP301


def reserve_seat(flight_id: str, user_id: str) -> str:
    with flights_breaker.calling():
        body = _post_json(f"{FLIGHTS_URL}/reservations", {"flight": flight_id, "user": user_id})
    return body["id"]
