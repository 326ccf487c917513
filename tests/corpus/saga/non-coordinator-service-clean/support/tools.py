"""Support tooling (not the saga's coordinator): manual goodwill rebooking by an agent."""

import os

import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


def goodwill_rebook(user_id: str, flight_id: str) -> dict:
    credit = requests.post(f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount": 0}, timeout=5)
    credit.raise_for_status()
    seat = requests.post(f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id}, timeout=5)
    seat.raise_for_status()
    return {"credit": credit.json()["id"], "seat": seat.json()["id"]}
