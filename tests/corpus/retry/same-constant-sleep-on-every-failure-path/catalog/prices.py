"""Price lookups that wait out throttling and dropped connections.

A retry loop that sleeps in more than one place (once per way an attempt can
fail) is judged on all its sleeps together: the same constant everywhere is no
backoff.
"""

import asyncio
import os
import random

import httpx

PRICING_URL = os.environ["PRICING_URL"]
RETRY_DELAY = 1.5

pricing = httpx.AsyncClient(base_url=PRICING_URL, timeout=5.0)


async def list_price(sku: str) -> int:
    for attempt in range(4):  # expect: SP202
        try:
            resp = await pricing.get(f"/prices/{sku}")
        except httpx.TransportError:
            await asyncio.sleep(RETRY_DELAY)
            continue
        if resp.status_code == 429:
            await asyncio.sleep(RETRY_DELAY)
            continue
        resp.raise_for_status()
        return resp.json()["cents"]
    raise RuntimeError(f"no price for {sku}")


async def promo_price(sku: str) -> int:
    for attempt in range(4):
        try:
            resp = await pricing.get(f"/promos/{sku}")
        except httpx.TransportError:
            await asyncio.sleep(random.uniform(0, 0.2 * 2**attempt))
            continue
        if resp.status_code == 429:
            await asyncio.sleep(random.uniform(0, 0.5 * 2**attempt))
            continue
        resp.raise_for_status()
        return resp.json()["cents"]
    raise RuntimeError(f"no promo for {sku}")
