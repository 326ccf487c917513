"""Step functions driven one at a time by a durable workflow engine (one call each)."""

import os

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]
client = httpx.Client(timeout=5.0)


def charge(state: dict) -> dict:
    resp = client.post(f"{PAYMENTS_URL}/charges", json={"amount": state["amount"]})
    resp.raise_for_status()
    return {**state, "charge_id": resp.json()["id"]}


def refund(state: dict) -> dict:
    client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": state["charge_id"]}).raise_for_status()
    return state


def reserve_flight(state: dict) -> dict:
    resp = client.post(f"{FLIGHTS_URL}/reservations", json={"flight": state["flight"]})
    resp.raise_for_status()
    return {**state, "flight_id": resp.json()["id"]}


def cancel_flight(state: dict) -> dict:
    client.delete(f"{FLIGHTS_URL}/reservations/{state['flight_id']}").raise_for_status()
    return state


def reserve_hotel(state: dict) -> dict:
    resp = client.post(f"{HOTELS_URL}/reservations", json={"hotel": state["hotel"]})
    resp.raise_for_status()
    return {**state, "hotel_id": resp.json()["id"]}


STEPS = [(charge, refund), (reserve_flight, cancel_flight), (reserve_hotel, None)]
