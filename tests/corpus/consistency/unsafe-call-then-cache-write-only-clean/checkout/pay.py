"""Checkout stores nothing durable; the redis key is a short-lived display cache."""

import json
import os

import httpx
import redis

cache = redis.Redis.from_url(os.environ["CHECKOUT_REDIS_URL"])
PAYMENTS_URL = os.environ["PAYMENTS_URL"]


def pay(cart_id: str, amount: int, key: str) -> dict:
    resp = httpx.post(
        f"{PAYMENTS_URL}/charges",
        json={"cart": cart_id, "amount": amount},
        headers={"Idempotency-Key": key},
        timeout=5,
    )
    resp.raise_for_status()
    cache.set(f"receipt:{cart_id}", json.dumps(resp.json()), ex=600)
    cache.delete(f"cart:{cart_id}")
    return resp.json()
