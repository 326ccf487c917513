"""Flights client."""

import os

import requests

FLIGHTS_URL = os.environ["FLIGHTS_URL"]
session = requests.Session()


def reserve(flight_id: str, user_id: str) -> str:
    resp = session.post(
        f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id, "user_id": user_id}, timeout=5
    )
    resp.raise_for_status()
    return resp.json()["id"]
