"""Every call goes through a kit client or a kit CircuitBreaker."""

import os

import requests
import stormproof.kit as kit
from stormproof.kit import AsyncClient, CircuitBreaker
from stormproof.kit import Client as C

payments = C.for_service("payments")
flights = kit.Client("flights", base_url=os.environ["FLIGHTS_URL"], timeout=2.0)
flights_breaker = CircuitBreaker("flights")


def charge(amount: int) -> dict:
    return payments.post("/charges", json={"amount": amount}).json()


def seats(flight_id: str) -> dict:
    return flights.get(f"/flights/{flight_id}/seats").json()


@flights_breaker
def legacy_seats(flight_id: str) -> dict:
    return requests.get(f"{os.environ['FLIGHTS_URL']}/seats/{flight_id}", timeout=2).json()


def legacy_fares(flight_id: str) -> dict:
    with flights_breaker:
        return requests.get(f"{os.environ['FLIGHTS_URL']}/fares/{flight_id}", timeout=2).json()


class Quotes:
    def __init__(self) -> None:
        self.payments = AsyncClient.for_service("payments")

    async def quote(self, amount: int) -> dict:
        return (await self.payments.post("/quotes", json={"amount": amount})).json()
