"""Downstream clients guarded by the hand-written breaker."""

import os

import httpx

from booking.circuit_breaker import CircuitBreaker, CircuitOpenError

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]

payments_cb = CircuitBreaker(failure_threshold=3)
flights_cb = CircuitBreaker(failure_threshold=5, recovery_timeout=60)
client = httpx.AsyncClient(timeout=5.0)


async def _post_charge(payload: dict) -> dict:
    resp = await client.post(f"{PAYMENTS_URL}/charges", json=payload)
    resp.raise_for_status()
    return resp.json()


async def charge(payload: dict) -> dict:
    return await payments_cb.call(_post_charge, payload)


async def reserve_seat(payload: dict) -> dict:
    if not flights_cb.allow_request():
        raise CircuitOpenError("flights circuit is open")
    try:
        resp = await client.post(f"{FLIGHTS_URL}/reservations", json=payload)
        resp.raise_for_status()
    except httpx.HTTPError:
        flights_cb.record_failure()
        raise
    flights_cb.record_success()
    return resp.json()
