"""Product updates: write the row, then refresh the read cache (not a message broker)."""

import json
import os

import redis
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["CATALOG_DATABASE_URL"])
cache = redis.Redis.from_url(os.environ["CATALOG_REDIS_URL"])


def update_price(product_id: int, price_cents: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE products SET price_cents = :p WHERE id = :id"),
            {"p": price_cents, "id": product_id},
        )
    cache.delete(f"product:{product_id}")
    cache.set(f"price:{product_id}", json.dumps({"cents": price_cents}), ex=300)
    cache.sadd("recently-repriced", product_id)
