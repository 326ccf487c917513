"""Thin async clients for the services booking depends on."""

from __future__ import annotations

import httpx

from booking.settings import settings


class PaymentsClient:
    def __init__(self) -> None:
        self._client = httpx.AsyncClient(base_url=settings.payments_url, timeout=5.0)

    async def charge(self, user_id: str, amount_cents: int) -> str:
        resp = await self._client.post(  # expect: SP301
            "/charges", json={"user_id": user_id, "amount_cents": amount_cents}
        )
        resp.raise_for_status()
        return resp.json()["id"]

    async def refund(self, charge_id: str) -> None:
        resp = await self._client.post("/refunds", json={"charge_id": charge_id})  # expect: SP301
        resp.raise_for_status()

    async def aclose(self) -> None:
        await self._client.aclose()


async def seat_map(flight_id: str) -> dict:
    async with httpx.AsyncClient(timeout=httpx.Timeout(3.0)) as client:
        resp = await client.get(f"{settings.flights_url}/flights/{flight_id}/seats")  # expect: SP301
        resp.raise_for_status()
        return resp.json()
