"""Async checkout worker: prices a cart and holds the stock."""

import asyncio
import os

import aiohttp

INVENTORY = os.environ["INVENTORY_SERVICE_URL"]
PRICING = os.getenv("PRICING_URL", "http://pricing:8080")


async def price_cart(session: aiohttp.ClientSession, items: list[dict]) -> int:
    async with session.post(f"{PRICING}/quotes", json={"items": items}) as resp:  # expect: SP301
        resp.raise_for_status()
        body = await resp.json()
        return body["total_cents"]


async def hold_stock(session: aiohttp.ClientSession, sku: str, qty: int) -> None:
    resp = await session.post(f"{INVENTORY}/holds", json={"sku": sku, "qty": qty})  # expect: SP301
    if resp.status >= 400:
        raise RuntimeError(f"could not hold {sku}: {resp.status}")


async def checkout(items: list[dict]) -> int:
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        total = await price_cart(session, items)
        await asyncio.gather(*(hold_stock(session, i["sku"], i["qty"]) for i in items))
        return total


if __name__ == "__main__":
    print(asyncio.run(checkout([{"sku": "A-1", "qty": 2}])))
