"""Checkout over aiohttp, instrumented globally."""

import os

import aiohttp
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor

AioHttpClientInstrumentor().instrument()
PRICING_URL = os.environ["PRICING_URL"]


async def quote(items: list[dict]) -> int:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        async with session.post(f"{PRICING_URL}/quotes", json={"items": items}) as resp:
            resp.raise_for_status()
            return (await resp.json())["total_cents"]
