import asyncio
import logging
import os

import httpx

log = logging.getLogger(__name__)

BROKER_URL = os.environ["BROKER_HTTP_URL"]
broker = httpx.AsyncClient(base_url=BROKER_URL, timeout=10.0)


async def subscribe(topic: str) -> str:
    attempt = 0
    while attempt < 6:  # expect: SP203
        try:
            resp = await broker.get(f"/topics/{topic}/subscription")
            resp.raise_for_status()
            return resp.json()["subscription_id"]
        except httpx.HTTPError as exc:
            attempt += 1
            log.warning("subscribe failed: %s", exc)
            await asyncio.sleep(2**attempt)
    raise ConnectionError(f"could not subscribe to {topic}")
