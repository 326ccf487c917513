import asyncio
import logging
import os

import aiohttp

log = logging.getLogger(__name__)

CALENDAR_URL = os.environ["CALENDAR_URL"]
calendar_session: aiohttp.ClientSession | None = None


async def events(session: aiohttp.ClientSession, user_id: str) -> list[dict]:
    delay = 1.0
    for _ in range(6):  # expect: SP203
        try:
            async with session.get(f"{CALENDAR_URL}/users/{user_id}/events") as resp:
                resp.raise_for_status()
                return await resp.json()
        except aiohttp.ClientError as exc:
            log.warning("calendar error %s; sleeping %.1fs", exc, delay)
            await asyncio.sleep(delay)
            delay *= 2
    raise RuntimeError("calendar unavailable")
