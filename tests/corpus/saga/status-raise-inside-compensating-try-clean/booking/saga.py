"""Bad statuses raise inside the try, so the compensating handler sees them."""

import os

import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


class StepFailed(RuntimeError):
    pass


def book_flight(user_id: str, flight_id: str, amount: int) -> dict:
    charge = requests.post(f"{PAYMENTS_URL}/charges", json={"user": user_id, "amount": amount}, timeout=5)
    if charge.status_code != 201:
        raise StepFailed("charge declined")
    charge_id = charge.json()["id"]
    try:
        seat = requests.post(f"{FLIGHTS_URL}/reservations", json={"flight": flight_id}, timeout=5)
        if seat.status_code != 201:
            raise StepFailed(f"flights answered {seat.status_code}")
    except Exception:
        requests.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5)
        raise
    return {"charge": charge_id, "seat": seat.json()["id"]}
