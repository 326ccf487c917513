"""Checkout orchestration over aiohttp."""

import os

import aiohttp
from opentelemetry import trace

tracer = trace.get_tracer(__name__)
PRICING_URL = os.environ["PRICING_URL"]
INVENTORY_URL = os.environ["INVENTORY_URL"]


class Checkout:
    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def quote(self, items: list[dict]) -> int:
        with tracer.start_as_current_span("quote"):
            async with self.session.post(f"{PRICING_URL}/quotes", json={"items": items}) as resp:  # expect: SP601
                body = await resp.json()
        return body["total_cents"]

    async def reserve(self, sku: str, qty: int) -> str:
        async with self.session.post(  # expect: SP601
            f"{INVENTORY_URL}/reservations", json={"sku": sku, "qty": qty}
        ) as resp:
            resp.raise_for_status()
            return (await resp.json())["id"]
