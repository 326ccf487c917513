import os

import httpx
from tenacity import retry, stop_after_attempt, wait_fixed, wait_random

QUOTES_URL = os.environ["QUOTES_URL"]
quotes = httpx.Client(base_url=QUOTES_URL, timeout=4.0)


@retry(stop=stop_after_attempt(5), wait=wait_fixed(1) + wait_random(0, 1))  # expect: SP202
def latest(symbol: str) -> float:
    resp = quotes.get(f"/quotes/{symbol}")
    resp.raise_for_status()
    return resp.json()["price"]


@retry(stop=stop_after_attempt(5), wait=wait_random(1, 3))  # expect: SP202
def history(symbol: str, days: int) -> list[float]:
    resp = quotes.get(f"/quotes/{symbol}/history", params={"days": days})
    resp.raise_for_status()
    return resp.json()["prices"]
