import asyncio
import os

import aiohttp

NEWS_URL = os.environ["NEWS_URL"]
SPORTS_URL = os.environ["SPORTS_URL"]
MARKETS_URL = os.environ["MARKETS_URL"]


async def news(session: aiohttp.ClientSession) -> list[dict]:
    # aiohttp's default total timeout (300 s) applies.
    async with session.get(f"{NEWS_URL}/headlines") as resp:
        return await resp.json()


async def sports() -> list[dict]:
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(f"{SPORTS_URL}/scores") as resp:
            return await resp.json()


async def markets() -> list[dict]:
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=3, sock_read=15)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(f"{MARKETS_URL}/tickers") as resp:
            return await resp.json()


async def front_page() -> dict:
    async with aiohttp.ClientSession() as session:
        headlines = await news(session)
        async with session.post(
            f"{NEWS_URL}/impressions",
            json={"count": len(headlines)},
            timeout=aiohttp.ClientTimeout(total=2),
        ) as resp:
            resp.raise_for_status()
    scores, tickers = await asyncio.gather(sports(), markets())
    return {"headlines": headlines, "scores": scores, "tickers": tickers}
