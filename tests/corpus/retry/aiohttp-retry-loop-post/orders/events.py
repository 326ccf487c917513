import asyncio
import logging
import os
import random

import aiohttp

log = logging.getLogger(__name__)

EVENTS_URL = os.environ["EVENTS_URL"]


class EventPublisher:
    def __init__(self) -> None:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))

    async def publish(self, event_type: str, payload: dict) -> None:
        for attempt in range(5):
            try:
                async with self.session.post(  # expect: SP204
                    f"{EVENTS_URL}/events", json={"type": event_type, "payload": payload}
                ) as resp:
                    resp.raise_for_status()
                    return
            except aiohttp.ClientError as exc:
                log.warning("publish failed: %s", exc)
                await asyncio.sleep(random.uniform(0, 0.1 * 2**attempt))
        raise RuntimeError("event bus unavailable")

    async def close(self) -> None:
        await self.session.close()
