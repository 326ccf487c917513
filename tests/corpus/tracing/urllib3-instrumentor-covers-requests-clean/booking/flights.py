"""Flights calls made with requests."""

import os

import requests

from booking import tracing

tracing.init()
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


def reserve(flight_id: str, user_id: str) -> str:
    resp = requests.post(
        f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id, "user_id": user_id}, timeout=5
    )
    resp.raise_for_status()
    return resp.json()["id"]


def cancel(reservation_id: str) -> None:
    requests.delete(f"{FLIGHTS_URL}/reservations/{reservation_id}", timeout=5).raise_for_status()
