import os

import httpx
from tenacity import retry, stop_after_attempt, wait_random_exponential

SUPPLIER_URL = os.environ["SUPPLIER_URL"]
CATALOG_URL = os.environ["CATALOG_URL"]

http = httpx.Client(timeout=10.0)


@retry(stop=stop_after_attempt(4), wait=wait_random_exponential(max=10), reraise=True)
def download_feed(supplier_id: str) -> list[dict]:
    resp = http.get(f"{SUPPLIER_URL}/suppliers/{supplier_id}/feed")
    resp.raise_for_status()
    return resp.json()["products"]


def import_supplier(supplier_id: str) -> int:
    products = download_feed(supplier_id)
    # Not retried: a failure here surfaces to the caller.
    resp = http.post(f"{CATALOG_URL}/imports", json={"supplier": supplier_id, "products": products})
    resp.raise_for_status()
    return len(products)


def nested_helper_is_not_retried(supplier_id: str) -> None:
    @retry(stop=stop_after_attempt(2), wait=wait_random_exponential(max=2))
    def ping() -> None:
        http.get(f"{SUPPLIER_URL}/suppliers/{supplier_id}/ping").raise_for_status()

    ping()
    http.delete(f"{CATALOG_URL}/imports/{supplier_id}/lock")
