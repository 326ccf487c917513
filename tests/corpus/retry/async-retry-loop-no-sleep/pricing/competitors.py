import os

import httpx

COMPETITORS_URL = os.environ["COMPETITORS_URL"]
MAX_ATTEMPTS = 4


async def competitor_price(client: httpx.AsyncClient, sku: str) -> int | None:
    for attempt in range(MAX_ATTEMPTS):  # expect: SP202
        try:
            resp = await client.get(f"{COMPETITORS_URL}/prices/{sku}")
            resp.raise_for_status()
            return resp.json()["price_cents"]
        except httpx.HTTPError:
            if attempt == MAX_ATTEMPTS - 1:
                raise
    return None


async def cheapest(skus: list[str]) -> dict[str, int | None]:
    async with httpx.AsyncClient(timeout=3.0) as client:
        return {sku: await competitor_price(client, sku) for sku in skus}
