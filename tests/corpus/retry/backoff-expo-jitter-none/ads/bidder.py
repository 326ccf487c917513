import os

import backoff
import httpx

EXCHANGE_URL = os.environ["EXCHANGE_URL"]
exchange = httpx.Client(base_url=EXCHANGE_URL, timeout=0.5)


@backoff.on_exception(backoff.expo, httpx.TransportError, max_tries=3, jitter=None)  # expect: SP203
def floor_price(slot_id: str) -> float:
    resp = exchange.get(f"/slots/{slot_id}/floor")
    resp.raise_for_status()
    return resp.json()["floor"]


@backoff.on_exception(backoff.expo, httpx.TransportError, max_tries=3)
def slot_info(slot_id: str) -> dict:
    resp = exchange.get(f"/slots/{slot_id}")
    resp.raise_for_status()
    return resp.json()
