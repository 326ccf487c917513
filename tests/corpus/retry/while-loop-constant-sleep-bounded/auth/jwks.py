import asyncio
import logging
import os

import aiohttp

log = logging.getLogger(__name__)

AUTH_URL = os.environ["AUTH_URL"]
RETRY_DELAY_S = 0.5


async def fetch_jwks(session: aiohttp.ClientSession) -> dict:
    tries = 0
    while tries < 5:  # expect: SP202
        try:
            async with session.get(f"{AUTH_URL}/.well-known/jwks.json") as resp:
                resp.raise_for_status()
                return await resp.json()
        except aiohttp.ClientError as exc:
            tries += 1
            log.warning("jwks fetch failed (%s), try %d", exc, tries)
            await asyncio.sleep(RETRY_DELAY_S)
    raise RuntimeError("could not load signing keys")
