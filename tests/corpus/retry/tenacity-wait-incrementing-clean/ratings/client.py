import os

import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_incrementing

RATINGS_URL = os.environ["RATINGS_URL"]


@retry(
    stop=stop_after_attempt(4),
    wait=wait_incrementing(start=0.5, increment=1, max=5),
    retry=retry_if_exception_type(requests.ConnectionError),
)
def average(product_id: str) -> float:
    resp = requests.get(f"{RATINGS_URL}/products/{product_id}/average", timeout=3)
    resp.raise_for_status()
    return resp.json()["average"]
