"""Compensation in `finally`, driven by a success flag."""

import os

import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


def book_flight(user_id: str, flight_id: str, amount_cents: int) -> dict:
    charge = requests.post(f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount": amount_cents}, timeout=5)
    charge.raise_for_status()
    charge_id = charge.json()["id"]
    succeeded = False
    try:
        seat = requests.post(f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id}, timeout=5)
        seat.raise_for_status()
        succeeded = True
        return {"charge": charge_id, "seat": seat.json()["id"]}
    finally:
        if not succeeded:
            requests.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5)
