import asyncio
import logging
import os
import random

import httpx

log = logging.getLogger(__name__)

VERIFIER_URL = os.environ["EMAIL_VERIFIER_URL"]
verifier = httpx.AsyncClient(base_url=VERIFIER_URL, timeout=5.0)


async def is_deliverable(address: str, retries: int = 4) -> bool:
    for attempt in range(retries):
        try:
            resp = await verifier.get("/verify", params={"email": address})
            resp.raise_for_status()
            return resp.json()["deliverable"]
        except httpx.TransportError as exc:
            if attempt == retries - 1:
                raise
            backoff = min(8.0, 0.25 * 2**attempt)
            sleep_for = backoff / 2 + random.uniform(0, backoff / 2)
            log.debug("verifier error %s, sleeping %.2f", exc, sleep_for)
            await asyncio.sleep(sleep_for)
    return False


async def mx_records(domain: str) -> list[str]:
    delay = 0.5
    for _ in range(3):
        try:
            resp = await verifier.get(f"/mx/{domain}")
            resp.raise_for_status()
            return resp.json()["records"]
        except httpx.TransportError:
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))
            delay *= 2
    return []
