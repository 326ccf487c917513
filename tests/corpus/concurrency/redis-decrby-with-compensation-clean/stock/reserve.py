"""Reserve stock with DECRBY; give it back if the counter went negative."""

import os

from redis import Redis

redis_client = Redis.from_url(os.getenv("STOCK_REDIS_URL", "redis://stock-redis:6379/0"))


class OutOfStock(Exception):
    pass


def reserve(sku: str, qty: int) -> int:
    key = f"stock:{sku}"
    left = redis_client.decrby(key, qty)
    if left < 0:
        redis_client.incrby(key, qty)
        raise OutOfStock(sku)
    return left


def set_level(sku: str, level: int) -> None:
    previous = redis_client.get(f"stock:{sku}")
    redis_client.set(f"stock:{sku}", level)
    redis_client.set(f"stock:{sku}:previous", previous or 0)
