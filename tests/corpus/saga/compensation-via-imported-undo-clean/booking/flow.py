"""The failure path calls a compensation defined in another module."""

import os

import httpx

from booking.compensations import refund_charge

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


def book_flight(client: httpx.Client, user_id: str, flight_id: str, amount: int) -> dict:
    charge = client.post(f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount": amount})
    charge.raise_for_status()
    charge_id = charge.json()["id"]
    try:
        seat = client.post(f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id})
        seat.raise_for_status()
    except httpx.HTTPError:
        refund_charge(client, charge_id)
        raise
    return {"charge": charge_id, "seat": seat.json()["id"]}
