"""Generic saga runner: every completed step pushes its undo onto a stack."""

import os
from collections.abc import Callable

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


def book_trip(client: httpx.Client, trip: dict) -> dict:
    undo: list[Callable[[], object]] = []
    try:
        charge = client.post(f"{PAYMENTS_URL}/charges", json={"amount": trip["amount"]})
        charge.raise_for_status()
        charge_id = charge.json()["id"]
        undo.append(lambda: client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}))

        flight = client.post(f"{FLIGHTS_URL}/reservations", json={"flight": trip["flight"]})
        flight.raise_for_status()
        flight_id = flight.json()["id"]
        undo.append(lambda: client.delete(f"{FLIGHTS_URL}/reservations/{flight_id}"))

        hotel = client.post(f"{HOTELS_URL}/reservations", json={"hotel": trip["hotel"]})
        hotel.raise_for_status()
    except Exception:
        for compensate in reversed(undo):
            compensate()
        raise
    return {"charge": charge_id, "flight": flight_id, "hotel": hotel.json()["id"]}
