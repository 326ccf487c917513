"""Calls to flights and hotels through small helpers.

A call of a one-level wrapper is a remote call: it is judged where it is made
(the target is known there), with the headers that call site hands the
wrapper's request; the request inside the wrapper is not reported on its own.
"""

import os

import httpx
from opentelemetry.propagate import inject

FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


class Downstream:
    def __init__(self) -> None:
        self.http = httpx.Client(timeout=5.0)

    def _get_json(self, url: str, headers: dict | None = None) -> dict:
        resp = self.http.get(url, headers=headers)
        resp.raise_for_status()
        return resp.json()

    def flight(self, flight_id: str) -> dict:
        return self._get_json(f"{FLIGHTS_URL}/flights/{flight_id}")  # expect: SP601

    def hotel(self, hotel_id: str) -> dict:
        carrier: dict[str, str] = {}
        inject(carrier)
        return self._get_json(f"{HOTELS_URL}/hotels/{hotel_id}", headers=carrier)

    def rooms(self, hotel_id: str) -> dict:
        return self._get_json(  # expect: SP601
            f"{HOTELS_URL}/hotels/{hotel_id}/rooms", {"Accept": "application/json"}
        )


def traced_post(url: str, body: dict) -> dict:
    headers: dict[str, str] = {"Content-Type": "application/json"}
    inject(headers)
    return httpx.post(url, json=body, headers=headers, timeout=5.0).json()


def reserve_seat(flight_id: str, seat: str) -> dict:
    return traced_post(f"{FLIGHTS_URL}/reservations", {"flight_id": flight_id, "seat": seat})
