import asyncio
import itertools
import logging
import os
import random

import httpx

log = logging.getLogger(__name__)

FEEDS_URL = os.environ["FEEDS_URL"]


async def fetch_feed(client: httpx.AsyncClient, feed_id: str) -> dict:
    for attempt in itertools.count(1):  # expect: SP201
        try:
            resp = await client.get(f"{FEEDS_URL}/feeds/{feed_id}")
            resp.raise_for_status()
            return resp.json()
        except httpx.HTTPError as exc:
            delay = min(2**attempt, 60) + random.uniform(0, 1)
            log.warning("feed %s attempt %d failed: %s; sleeping %.1fs", feed_id, attempt, exc, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


async def main() -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        feeds = await asyncio.gather(*(fetch_feed(client, f) for f in ("news", "sports")))
    log.info("fetched %d feeds", len(feeds))
