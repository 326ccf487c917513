"""Idempotency keys for ASGI services, with Stripe's semantics and the IETF Idempotency-Key
draft's status codes: an unsafe request retried with the same key runs once, and its retries
get the first answer back.

    store = SqliteIdempotencyStore("data/service.db")
    app.add_middleware(IdempotencyMiddleware, store=store, required=True)

Instances that share their keys use a PostgresIdempotencyStore (``stormproof[postgres]``) or
a RedisIdempotencyStore (``stormproof[redis]``) instead; the driver is imported when one is
built.
"""

from stormproof.kit.idempotency.middleware import IdempotencyMiddleware
from stormproof.kit.idempotency.postgres import PostgresIdempotencyStore
from stormproof.kit.idempotency.redis_store import RedisIdempotencyStore
from stormproof.kit.idempotency.store import (
    Begin,
    IdempotencyStore,
    Outcome,
    SqliteIdempotencyStore,
    StoredResponse,
)

__all__ = [
    "Begin",
    "IdempotencyMiddleware",
    "IdempotencyStore",
    "Outcome",
    "PostgresIdempotencyStore",
    "RedisIdempotencyStore",
    "SqliteIdempotencyStore",
    "StoredResponse",
]
