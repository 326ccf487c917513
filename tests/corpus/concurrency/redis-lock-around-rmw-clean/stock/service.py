import os

import redis

r = redis.Redis.from_url(os.environ["STOCK_REDIS_URL"], decode_responses=True)


def reserve(sku: str, qty: int) -> int:
    key = f"stock:{sku}"
    with r.lock(f"lock:{key}", timeout=5, blocking_timeout=2):
        stock = int(r.get(key) or 0)
        if stock < qty:
            raise ValueError("out of stock")
        r.set(key, stock - qty)
    return stock - qty
