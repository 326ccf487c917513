"""book-trip saga; every later step undoes the earlier ones it can."""

import os

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


def book_trip(client: httpx.Client, trip: dict) -> dict:
    charge = client.post(f"{PAYMENTS_URL}/charges", json={"amount": trip["amount"]})
    charge.raise_for_status()
    charge_id = charge.json()["id"]
    try:
        flight = client.post(f"{FLIGHTS_URL}/reservations", json={"flight": trip["flight"]})
        flight.raise_for_status()
    except httpx.HTTPError:
        client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id})
        raise
    try:
        hotel = client.post(f"{HOTELS_URL}/reservations", json={"hotel": trip["hotel"]})
        hotel.raise_for_status()
    except httpx.HTTPError:
        client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id})
        raise
    return {"charge": charge_id, "flight": flight.json()["id"], "hotel": hotel.json()["id"]}
