"""Explicit TraceContext propagator, and the propagate module form."""

import os

import httpx
from opentelemetry import propagate
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

FLIGHTS_URL = os.environ["FLIGHTS_URL"]
propagator = TraceContextTextMapPropagator()


async def reserve(client: httpx.AsyncClient, flight_id: str, user_id: str) -> str:
    carrier: dict[str, str] = {}
    propagator.inject(carrier)
    resp = await client.post(
        f"{FLIGHTS_URL}/reservations",
        json={"flight_id": flight_id, "user_id": user_id},
        headers=carrier,
    )
    resp.raise_for_status()
    return resp.json()["id"]


async def cancel(client: httpx.AsyncClient, reservation_id: str) -> None:
    headers = {"Accept": "application/json"}
    propagate.inject(headers)
    resp = await client.delete(f"{FLIGHTS_URL}/reservations/{reservation_id}", headers=headers)
    resp.raise_for_status()
