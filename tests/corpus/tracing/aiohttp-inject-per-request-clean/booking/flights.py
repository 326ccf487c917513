"""aiohttp calls with the trace context injected per request."""

import os

import aiohttp
from opentelemetry.propagate import inject

FLIGHTS_URL = os.environ["FLIGHTS_URL"]


async def seats(session: aiohttp.ClientSession, flight_id: str) -> int:
    headers: dict[str, str] = {}
    inject(headers)
    async with session.get(f"{FLIGHTS_URL}/flights/{flight_id}/seats", headers=headers) as resp:
        resp.raise_for_status()
        return (await resp.json())["left"]
