import os
import random

import httpx
from tenacity import RetryCallState, retry, stop_after_attempt

INDEX_URL = os.environ["INDEX_URL"]
index = httpx.Client(base_url=INDEX_URL, timeout=10.0)


def decorrelated_jitter(state: RetryCallState) -> float:
    previous = getattr(state, "_last_wait", 0.5)
    wait = min(20.0, random.uniform(0.5, previous * 3))
    state._last_wait = wait  # type: ignore[attr-defined]
    return wait


@retry(stop=stop_after_attempt(6), wait=decorrelated_jitter, reraise=True)
def index_status(index_name: str) -> str:
    resp = index.get(f"/indexes/{index_name}/status")
    resp.raise_for_status()
    return resp.json()["status"]
