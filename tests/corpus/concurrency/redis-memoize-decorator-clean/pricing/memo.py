"""A small Redis memoisation decorator for expensive pricing calls."""

import functools
import hashlib
import json
import pickle
from collections.abc import Callable
from typing import Any

import redis

_redis = redis.Redis(host="pricing-cache", port=6379, db=0)


def memoize(ttl: int = 60) -> Callable:
    def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            digest = hashlib.sha1(json.dumps([args, kwargs], default=str).encode()).hexdigest()
            key = f"memo:{fn.__name__}:{digest}"
            hit = _redis.get(key)
            if hit is not None:
                return pickle.loads(hit)
            value = fn(*args, **kwargs)
            _redis.set(key, pickle.dumps(value), ex=ttl)
            return value

        return wrapper

    return decorator


@memoize(ttl=300)
def quote(route: str, day: str) -> dict:
    return {"route": route, "day": day, "price": 129.0}
