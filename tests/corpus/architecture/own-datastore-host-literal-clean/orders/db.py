"""Compose-style DSNs naming the service's own datastores."""

import redis
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine("postgresql+asyncpg://orders:orders@orders-db:5432/orders")
cache = redis.Redis(host="orders-cache", port=6379, decode_responses=True)
PAYMENTS_DB_DOCS = "payments-db is owned by the payments team; ask them over HTTP"
