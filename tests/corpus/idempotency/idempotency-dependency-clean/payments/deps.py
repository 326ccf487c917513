"""A dependency that claims the request's idempotency key before the handler runs."""

import redis
from fastapi import Header, HTTPException

r = redis.Redis(host="redis", decode_responses=True)


def require_idempotency_key(idempotency_key: str = Header(..., alias="Idempotency-Key")) -> str:
    if not r.set(f"idem:{idempotency_key}", "1", nx=True, ex=86400):
        raise HTTPException(status_code=409, detail="duplicate request")
    return idempotency_key
