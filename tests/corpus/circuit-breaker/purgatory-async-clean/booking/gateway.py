"""Downstream calls with purgatory breakers (one named breaker per service)."""

import os

import httpx
from purgatory import AsyncCircuitBreakerFactory

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]

circuitbreaker = AsyncCircuitBreakerFactory(default_threshold=5, default_ttl=30)


@circuitbreaker("payments")
async def charge(client: httpx.AsyncClient, user_id: str, amount_cents: int) -> str:
    resp = await client.post(
        f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount_cents": amount_cents}
    )
    resp.raise_for_status()
    return resp.json()["id"]


async def reserve(client: httpx.AsyncClient, flight_id: str, user_id: str) -> str:
    async with await circuitbreaker.get_breaker("flights"):
        resp = await client.post(
            f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id, "user_id": user_id}
        )
        resp.raise_for_status()
        return resp.json()["id"]


async def book(user_id: str, flight_id: str, amount_cents: int) -> dict:
    async with httpx.AsyncClient(timeout=5.0) as client:
        charge_id = await charge(client, user_id, amount_cents)
        reservation_id = await reserve(client, flight_id, user_id)
    return {"charge_id": charge_id, "reservation_id": reservation_id}
