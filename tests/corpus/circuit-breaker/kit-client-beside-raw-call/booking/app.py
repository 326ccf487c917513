"""A kit client for payments, but a raw requests call and a client with its breaker off."""

import os

import requests
from stormproof.kit import Client

payments = Client.for_service("payments")
flights = Client("flights", base_url=os.environ["FLIGHTS_URL"], breaker=None)


def charge(amount: int) -> dict:
    payments.get("/health")
    return requests.post(  # expect: SP301
        f"{os.environ['PAYMENTS_URL']}/charges", json={"amount": amount}, timeout=5
    ).json()


def seats(flight_id: str) -> dict:
    return flights.get(f"/flights/{flight_id}/seats").json()  # expect: SP301
