"""Edge keeps a small in-process cache; nothing leaves the process."""

import os
import time
from functools import lru_cache

import requests
from cachetools import TTLCache

PRICING_URL = os.environ["PRICING_URL"]
_quotes: TTLCache = TTLCache(maxsize=10_000, ttl=30)
_session = requests.Session()


@lru_cache(maxsize=256)
def currency_symbol(code: str) -> str:
    return {"EUR": "€", "USD": "$", "GBP": "£"}.get(code, code)


def quote(route: str) -> dict:
    cached = _quotes.get(route)
    if cached is not None:
        return cached
    resp = _session.get(f"{PRICING_URL}/quotes/{route}", timeout=2.5)
    resp.raise_for_status()
    value = {**resp.json(), "fetched_at": time.time()}
    _quotes[route] = value
    return value
