"""httpx module-level functions with `from httpx import post, delete`."""

import os

from httpx import HTTPError, delete, post

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


def book_trip(trip: dict) -> dict:
    charge = post(f"{PAYMENTS_URL}/charges", json={"amount": trip["amount"]}, timeout=5)
    charge.raise_for_status()
    charge_id = charge.json()["id"]
    try:
        flight = post(f"{FLIGHTS_URL}/reservations", json={"flight": trip["flight"]}, timeout=5)
        flight.raise_for_status()
        flight_id = flight.json()["id"]
    except HTTPError:
        post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5)
        raise
    try:
        hotel = post(f"{HOTELS_URL}/reservations", json={"hotel": trip["hotel"]}, timeout=5)
        hotel.raise_for_status()
    except HTTPError:
        delete(f"{FLIGHTS_URL}/reservations/{flight_id}", timeout=5)
        post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5)
        raise
    return {"charge": charge_id, "flight": flight_id, "hotel": hotel.json()["id"]}
