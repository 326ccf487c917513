"""Step and compensation helpers; the orchestrator compensates on each failure."""

import os

import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


def charge_card(user_id: str, amount_cents: int) -> str:
    resp = requests.post(f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount_cents": amount_cents}, timeout=5)
    resp.raise_for_status()
    return resp.json()["id"]


def refund_charge(charge_id: str) -> None:
    requests.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5).raise_for_status()


def reserve_flight(flight_id: str) -> str:
    resp = requests.post(f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id}, timeout=5)
    resp.raise_for_status()
    return resp.json()["id"]


def cancel_flight(reservation_id: str) -> None:
    requests.delete(f"{FLIGHTS_URL}/reservations/{reservation_id}", timeout=5).raise_for_status()


def reserve_hotel(hotel_id: str) -> str:
    resp = requests.post(f"{HOTELS_URL}/reservations", json={"hotel_id": hotel_id}, timeout=5)
    resp.raise_for_status()
    return resp.json()["id"]


def book_trip(user_id: str, flight_id: str, hotel_id: str, amount_cents: int) -> dict:
    charge_id = charge_card(user_id, amount_cents)
    try:
        flight_res = reserve_flight(flight_id)
    except requests.RequestException:
        refund_charge(charge_id)
        raise
    try:
        hotel_res = reserve_hotel(hotel_id)
    except requests.RequestException:
        cancel_flight(flight_res)
        refund_charge(charge_id)
        raise
    return {"charge": charge_id, "flight": flight_res, "hotel": hotel_res}
