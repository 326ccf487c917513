"""Report builders that read from the warehouse and the metrics store.

SP205 points at the outer retry construct (the layer to drop or keep), once per
construct, however many self-retrying calls its body makes.
"""

import os
import random
import time

import httpx
import requests
from requests.adapters import HTTPAdapter
from tenacity import retry, stop_after_attempt, wait_random_exponential
from urllib3.util import Retry

WAREHOUSE_URL = os.environ["WAREHOUSE_URL"]
METRICS_URL = os.environ["METRICS_URL"]

warehouse = requests.Session()
warehouse.mount(
    "https://",
    HTTPAdapter(max_retries=Retry(total=2, backoff_factor=0.3, backoff_jitter=0.2)),
)
metrics = httpx.Client(
    base_url=METRICS_URL,
    timeout=10.0,
    transport=httpx.HTTPTransport(retries=2),
)

retry_reads = retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=8))


@retry_reads  # expect: SP205
def daily_totals(day: str) -> dict:
    resp = warehouse.get(f"{WAREHOUSE_URL}/totals/{day}", timeout=30)
    resp.raise_for_status()
    return resp.json()


@retry_reads  # expect: SP205
def top_customers(day: str, limit: int) -> list[dict]:
    resp = warehouse.get(f"{WAREHOUSE_URL}/customers/top", params={"day": day, "n": limit}, timeout=30)
    resp.raise_for_status()
    return resp.json()


@retry_reads
def report_header(day: str) -> dict:
    return {"day": day, "generated_at": time.time()}


def latency_series(service: str, day: str) -> dict:
    deadline = time.monotonic() + 20
    delay = 0.5
    while time.monotonic() < deadline:  # expect: SP205
        try:
            p50 = metrics.get(f"/series/{service}/p50", params={"day": day})
            p99 = metrics.get(f"/series/{service}/p99", params={"day": day})
            p50.raise_for_status()
            p99.raise_for_status()
            return {"p50": p50.json(), "p99": p99.json()}
        except httpx.HTTPError:
            time.sleep(random.uniform(0, delay))
            delay *= 2
    raise TimeoutError(f"no latency series for {service}")
