"""Async payments client: every request goes through `breaker.call_async`."""

from __future__ import annotations

import os
from datetime import timedelta

import httpx
from aiobreaker import CircuitBreaker, CircuitBreakerError


class PaymentsGateway:
    def __init__(self) -> None:
        self._client = httpx.AsyncClient(base_url=os.environ["PAYMENTS_URL"], timeout=5.0)
        self._breaker = CircuitBreaker(fail_max=4, timeout_duration=timedelta(seconds=20))

    async def _send(self, path: str, payload: dict) -> dict:
        resp = await self._client.post(path, json=payload)
        resp.raise_for_status()
        return resp.json()

    async def charge(self, user_id: str, amount_cents: int) -> dict | None:
        try:
            return await self._breaker.call_async(
                self._send, "/charges", {"user_id": user_id, "amount_cents": amount_cents}
            )
        except CircuitBreakerError:
            return None
