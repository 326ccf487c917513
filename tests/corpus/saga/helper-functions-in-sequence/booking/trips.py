"""Each step is a small helper; the orchestrator calls them one after another."""

import os

import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]
TIMEOUT = 5


def charge_card(user_id: str, amount_cents: int) -> str:
    resp = requests.post(
        f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount_cents": amount_cents}, timeout=TIMEOUT
    )
    resp.raise_for_status()
    return resp.json()["id"]


def reserve_flight(user_id: str, flight_id: str) -> str:
    resp = requests.post(
        f"{FLIGHTS_URL}/reservations", json={"user_id": user_id, "flight_id": flight_id}, timeout=TIMEOUT
    )
    resp.raise_for_status()
    return resp.json()["id"]


def reserve_hotel(user_id: str, hotel_id: str) -> str:
    resp = requests.post(
        f"{HOTELS_URL}/reservations", json={"user_id": user_id, "hotel_id": hotel_id}, timeout=TIMEOUT
    )
    resp.raise_for_status()
    return resp.json()["id"]


def book_trip(user_id: str, flight_id: str, hotel_id: str, amount_cents: int) -> dict:
    charge_id = charge_card(user_id, amount_cents)
    flight_res = reserve_flight(user_id, flight_id)  # expect: SP502
    hotel_res = reserve_hotel(user_id, hotel_id)
    return {"charge": charge_id, "flight": flight_res, "hotel": hotel_res}
