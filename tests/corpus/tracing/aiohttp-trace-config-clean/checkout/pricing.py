"""Pricing client: the session carries OpenTelemetry's aiohttp trace config."""

import os

import aiohttp
from opentelemetry.instrumentation.aiohttp_client import create_trace_config

PRICING_URL = os.environ["PRICING_URL"]


class PricingClient:
    def __init__(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=5),
            trace_configs=[create_trace_config()],
        )

    async def quote(self, items: list[dict]) -> int:
        async with self._session.post(f"{PRICING_URL}/quotes", json={"items": items}) as resp:
            resp.raise_for_status()
            body = await resp.json()
        return body["total_cents"]

    async def close(self) -> None:
        await self._session.close()
