"""Local-development DSNs; these are datastores, not HTTP services."""

import os

import redis
from sqlalchemy import create_engine

engine = create_engine(
    os.getenv("ORDERS_DATABASE_URL", "postgresql://orders:orders@localhost:5432/orders")
)
cache = redis.Redis.from_url("redis://localhost:6379/0")
metrics = redis.Redis(host="127.0.0.1", port=6380)
