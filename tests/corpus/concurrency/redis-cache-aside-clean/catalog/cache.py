"""Cache-aside for product pages: the cached value comes from the database, not from Redis."""

import json
import os

import redis
from sqlalchemy import create_engine, text

cache = redis.from_url(os.environ.get("CACHE_URL", "redis://cache:6379/0"), decode_responses=True)
engine = create_engine(os.environ.get("CATALOG_DATABASE_URL", "sqlite:///catalog.db"))
TTL_SECONDS = 300


def load_product(product_id: int) -> dict:
    key = f"product:{product_id}"
    cached = cache.get(key)
    if cached is not None:
        return json.loads(cached)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, name, price_cents FROM products WHERE id = :id"), {"id": product_id}
        ).mappings().one()
    product = dict(row)
    cache.set(key, json.dumps(product), ex=TTL_SECONDS)
    return product


def invalidate(product_id: int) -> None:
    cache.delete(f"product:{product_id}")
