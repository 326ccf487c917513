"""Stock reservation with redis-py's transaction() helper (WATCH, retry on conflict)."""

import os

import redis

r = redis.Redis.from_url(os.environ["STOCK_REDIS_URL"])


def reserve(sku: str, qty: int) -> int:
    key = f"stock:{sku}"

    def take(pipe: redis.client.Pipeline) -> None:
        left = int(pipe.get(key) or 0)
        if left < qty:
            raise ValueError("out of stock")
        pipe.multi()
        pipe.set(key, left - qty)

    r.transaction(take, key)
    return int(r.get(key) or 0)
