import os

import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

CATALOG_URL = os.environ["CATALOG_URL"]
session = requests.Session()

retry_reads = retry(
    stop=stop_after_attempt(4),
    wait=wait_random_exponential(multiplier=0.3, max=5),
    retry=retry_if_exception_type(requests.RequestException),
    reraise=True,
)


@retry_reads
def product(sku: str) -> dict:
    resp = session.get(f"{CATALOG_URL}/products/{sku}", timeout=5)
    resp.raise_for_status()
    return resp.json()


@retry_reads
def exists(sku: str) -> bool:
    return session.head(f"{CATALOG_URL}/products/{sku}", timeout=5).status_code == 200


@retry_reads
def allowed_methods(path: str) -> str:
    return session.options(f"{CATALOG_URL}{path}", timeout=5).headers.get("Allow", "")
