import os

import httpx


class InventoryClient:
    def __init__(self) -> None:
        self._client = httpx.AsyncClient(
            base_url=os.environ["INVENTORY_URL"],  # expect: SP802
            timeout=httpx.Timeout(3.0),
        )

    async def reserve(self, sku: str, qty: int) -> dict:
        resp = await self._client.post("/reservations", json={"sku": sku, "qty": qty})  # expect: SP802
        resp.raise_for_status()
        return resp.json()

    async def available(self, sku: str) -> int:
        resp = await self._client.get(f"/stock/{sku}")  # expect: SP802
        return resp.json()["available"]


class PricingClient:
    def __init__(self) -> None:
        self._client = httpx.AsyncClient(base_url=os.environ["PRICING_URL"], timeout=3.0)

    async def price(self, sku: str) -> int:
        resp = await self._client.get(f"/prices/{sku}")
        return resp.json()["cents"]
