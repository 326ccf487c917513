"""Cart store: optimistic transaction with WATCH/MULTI, retried on conflict."""

import json

import redis
from redis.exceptions import WatchError


class CartStore:
    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url, decode_responses=True)

    def add_item(self, cart_id: str, sku: str, qty: int) -> dict:
        key = f"cart:{cart_id}"
        with self.redis.pipeline() as pipe:
            for _ in range(10):
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    cart = json.loads(raw) if raw else {}
                    cart[sku] = cart.get(sku, 0) + qty
                    pipe.multi()
                    pipe.set(key, json.dumps(cart))
                    pipe.execute()
                    return cart
                except WatchError:
                    continue
        raise RuntimeError(f"cart {cart_id} is too contended")

    def items(self, cart_id: str) -> dict:
        raw = self.redis.get(f"cart:{cart_id}")
        return json.loads(raw) if raw else {}
