"""Flights calls; headers come from the caller or from the shared helper module."""

import os

import httpx

from booking import tracing_headers

FLIGHTS_URL = os.environ["FLIGHTS_URL"]


async def reserve(client: httpx.AsyncClient, flight_id: str, headers: dict[str, str]) -> str:
    resp = await client.post(
        f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id}, headers=headers
    )
    resp.raise_for_status()
    return resp.json()["id"]


async def cancel(client: httpx.AsyncClient, reservation_id: str) -> None:
    resp = await client.delete(
        f"{FLIGHTS_URL}/reservations/{reservation_id}", headers=tracing_headers.outgoing()
    )
    resp.raise_for_status()
