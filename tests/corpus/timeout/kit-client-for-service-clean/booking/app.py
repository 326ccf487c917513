"""Kit clients always have a timeout: built from the manifest, by alias, or on self."""

import os

import stormproof.kit as kit
from stormproof.kit.client import AsyncClient
from stormproof.kit import Client as C

payments = C.for_service("payments")
flights = kit.Client("flights", base_url=os.environ["FLIGHTS_URL"])


def charge(amount: int) -> dict:
    return payments.post("/charges", json={"amount": amount}).json()


def seats(flight_id: str) -> dict:
    return flights.get(f"/flights/{flight_id}/seats", timeout=1.5).json()


class Quotes:
    def __init__(self) -> None:
        self.flights = AsyncClient.for_service("flights")

    async def fares(self, flight_id: str) -> dict:
        return (await self.flights.get(f"/fares/{flight_id}")).json()
