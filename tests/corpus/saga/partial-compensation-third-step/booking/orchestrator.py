"""The hotel failure path cancels the flight but forgets the refund."""

import os

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


class TripFailed(Exception):
    pass


def book_trip(trip: dict) -> dict:
    with httpx.Client(timeout=5.0) as client:
        charge = client.post(f"{PAYMENTS_URL}/charges", json={"amount": trip["amount"]})
        charge.raise_for_status()
        charge_id = charge.json()["id"]

        try:
            flight = client.post(f"{FLIGHTS_URL}/reservations", json={"flight_id": trip["flight_id"]})
            flight.raise_for_status()
        except httpx.HTTPError as exc:
            client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id})
            raise TripFailed("flight") from exc
        flight_id = flight.json()["id"]

        try:
            hotel = client.post(f"{HOTELS_URL}/reservations", json={"hotel_id": trip["hotel_id"]})  # expect: SP502
            hotel.raise_for_status()
        except httpx.HTTPError as exc:
            client.delete(f"{FLIGHTS_URL}/reservations/{flight_id}")
            raise TripFailed("hotel") from exc

        return {"charge": charge_id, "flight": flight_id, "hotel": hotel.json()["id"]}
