"""Flight lookups, cached and retried -- but never behind a breaker."""

import functools
import os
import threading

import httpx
from tenacity import retry, stop_after_attempt, wait_random_exponential

FLIGHTS_URL = os.environ["FLIGHTS_URL"]

_client = httpx.Client(base_url=FLIGHTS_URL, timeout=4.0)
_reserve_lock = threading.Lock()


@functools.lru_cache(maxsize=256)
def airport_name(code: str) -> str:
    resp = _client.get(f"/airports/{code}")  # expect: SP301
    resp.raise_for_status()
    return resp.json()["name"]


@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(multiplier=0.2, max=3))
def seats_left(flight_id: str) -> int:
    resp = _client.get(f"/flights/{flight_id}/availability")  # expect: SP301
    resp.raise_for_status()
    return int(resp.json()["seats_left"])


def reserve(flight_id: str, user_id: str) -> str:
    with _reserve_lock:
        resp = _client.post(  # expect: SP301
            "/reservations", json={"flight_id": flight_id, "user_id": user_id}
        )
    resp.raise_for_status()
    return resp.json()["id"]
