import asyncio
import logging
import os

import aioredis

log = logging.getLogger(__name__)


class StockService:
    def __init__(self) -> None:
        self._redis = aioredis.from_url(os.environ["STOCK_REDIS_URL"], decode_responses=True)

    async def reserve(self, sku: str, qty: int) -> int:
        key = f"stock:{sku}"
        stock = int(await self._redis.get(key) or 0)
        if stock < qty:
            raise ValueError(f"only {stock} left of {sku}")
        await self._redis.set(key, stock - qty)  # expect: SP702
        log.info("reserved %s x %s", qty, sku)
        return stock - qty

    async def level(self, sku: str) -> int:
        return int(await self._redis.get(f"stock:{sku}") or 0)

    async def restock_all(self, levels: dict[str, int]) -> None:
        await asyncio.gather(*(self._redis.set(f"stock:{s}", n) for s, n in levels.items()))
