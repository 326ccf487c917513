import asyncio
import os

import aiohttp

CATALOG = os.getenv("CATALOG_URL", "http://catalog:8000")


async def enrich(product_ids: list[str]) -> list[dict]:
    timeout = aiohttp.ClientTimeout(total=3)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        return await asyncio.gather(*(_one(session, pid) for pid in product_ids))


async def _one(session: aiohttp.ClientSession, product_id: str) -> dict:
    async with session.get(f"{CATALOG}/products/{product_id}") as resp:
        product = await resp.json()
    async with session.get(f"{os.getenv('REVIEWS_URL')}/products/{product_id}/summary") as resp:  # expect: SP802
        product["rating"] = (await resp.json()).get("average")
    return product
