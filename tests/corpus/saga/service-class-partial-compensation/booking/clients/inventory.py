"""Flight and hotel inventory clients."""

import os

import requests

FLIGHTS_URL = os.getenv("FLIGHTS_URL", "http://flights:8000")
HOTELS_URL = os.getenv("HOTELS_URL", "http://hotels:8000")


class FlightsClient:
    def reserve(self, flight_id: str) -> str:
        resp = requests.post(f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id}, timeout=5)
        resp.raise_for_status()
        return resp.json()["id"]

    def cancel(self, reservation_id: str) -> None:
        requests.delete(f"{FLIGHTS_URL}/reservations/{reservation_id}", timeout=5)


class HotelsClient:
    def reserve(self, hotel_id: str) -> str:
        resp = requests.post(f"{HOTELS_URL}/reservations", json={"hotel_id": hotel_id}, timeout=5)
        resp.raise_for_status()
        return resp.json()["id"]
