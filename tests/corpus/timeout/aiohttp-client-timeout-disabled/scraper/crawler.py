import asyncio
import os

import aiohttp

PRICES_URL = os.environ["PRICES_URL"]
SINK_URL = os.environ["SINK_URL"]


async def fetch_prices(session: aiohttp.ClientSession, skus: list[str]) -> list[dict]:
    results = []
    for sku in skus:
        async with session.get(f"{PRICES_URL}/prices/{sku}") as resp:
            results.append(await resp.json())
    return results


async def crawl(skus: list[str]) -> None:
    timeout = aiohttp.ClientTimeout(total=None)  # expect: SP102
    async with aiohttp.ClientSession(timeout=timeout) as session:
        prices = await fetch_prices(session, skus)

    sink_timeout = aiohttp.ClientTimeout()  # expect: SP102
    async with aiohttp.ClientSession(timeout=sink_timeout) as sink:
        async with sink.post(f"{SINK_URL}/prices", json=prices) as resp:
            resp.raise_for_status()


async def stream_changes() -> None:
    # Long-poll stream: no total limit, but a stalled socket read still fails.
    timeout = aiohttp.ClientTimeout(total=None, sock_read=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(f"{PRICES_URL}/changes/stream") as resp:
            async for line in resp.content:
                print(line.decode().strip())


if __name__ == "__main__":
    asyncio.run(crawl(os.environ.get("SKUS", "").split(",")))
