import asyncio
import hashlib
import hmac
import json
import os

import aiohttp

SECRET = os.environ.get("WEBHOOK_SECRET", "").encode()
PER_REQUEST = aiohttp.ClientTimeout(total=5, connect=2)


def sign(body: bytes) -> str:
    return hmac.new(SECRET, body, hashlib.sha256).hexdigest()


async def deliver(session: aiohttp.ClientSession, url: str, event: dict) -> int:
    body = json.dumps(event).encode()
    async with session.post(
        url,
        data=body,
        headers={"X-Signature": sign(body), "Content-Type": "application/json"},
        timeout=PER_REQUEST,
    ) as resp:
        return resp.status


async def fan_out(urls: list[str], event: dict) -> list[int]:
    connector = aiohttp.TCPConnector(limit=50)
    async with aiohttp.ClientSession(connector=connector) as session:
        return await asyncio.gather(*(deliver(session, url, event) for url in urls))
