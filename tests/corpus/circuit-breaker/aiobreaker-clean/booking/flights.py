"""Async flights client protected by aiobreaker."""

from datetime import timedelta

import httpx
from aiobreaker import CircuitBreaker, CircuitBreakerError

from booking.config import settings

breaker = CircuitBreaker(fail_max=5, timeout_duration=timedelta(seconds=30))
client = httpx.AsyncClient(base_url=settings.flights_url, timeout=4.0)


@breaker
async def reserve(flight_id: str, user_id: str) -> str:
    resp = await client.post("/reservations", json={"flight_id": flight_id, "user_id": user_id})
    resp.raise_for_status()
    return resp.json()["id"]


async def _cancel(reservation_id: str) -> None:
    resp = await client.delete(f"/reservations/{reservation_id}")
    resp.raise_for_status()


async def cancel(reservation_id: str) -> bool:
    try:
        await breaker.call_async(_cancel, reservation_id)
    except CircuitBreakerError:
        return False
    return True
