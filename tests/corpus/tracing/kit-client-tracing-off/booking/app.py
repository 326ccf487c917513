"""One kit client keeps its tracing; one turns it off; a raw call sends no context."""

import os

import httpx
from stormproof.kit import Client

payments = Client.for_service("payments")
flights = Client("flights", base_url=os.environ["FLIGHTS_URL"], tracing=False)


def charge(amount: int) -> dict:
    return payments.post("/charges", json={"amount": amount}).json()


def seats(flight_id: str) -> dict:
    return flights.get(f"/flights/{flight_id}/seats").json()  # expect: SP601


def fares(flight_id: str) -> dict:
    return httpx.get(f"{os.environ['FLIGHTS_URL']}/fares/{flight_id}").json()  # expect: SP601
