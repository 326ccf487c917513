import os

import aiohttp

SHIPPING_URL = os.environ.get("SHIPPING_URL") or "http://shipping:8000"


async def quote(weight_kg: float, country: str) -> dict:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        async with session.post(
            f"{SHIPPING_URL}/quotes", json={"weight": weight_kg, "country": country}
        ) as resp:
            resp.raise_for_status()
            return await resp.json()
