"""Success checked with `resp.ok`; the else branch undoes the charge."""

import os

import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


class BookingFailed(Exception):
    pass


def book_flight(user_id: str, flight_id: str, amount: int) -> dict:
    charge = requests.post(f"{PAYMENTS_URL}/charges", json={"user": user_id, "amount": amount}, timeout=5)
    if not charge.ok:
        raise BookingFailed("payment declined")
    charge_id = charge.json()["id"]
    try:
        seat = requests.post(f"{FLIGHTS_URL}/reservations", json={"flight": flight_id}, timeout=5)
    except requests.RequestException as exc:
        requests.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5)
        raise BookingFailed("flights unreachable") from exc
    if seat.ok:
        return {"charge": charge_id, "seat": seat.json()["id"]}
    else:
        requests.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5)
        raise BookingFailed(f"no seat: {seat.status_code}")
