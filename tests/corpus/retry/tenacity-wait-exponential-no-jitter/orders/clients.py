import logging
import os

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

logger = logging.getLogger(__name__)

INVENTORY_URL = os.environ["INVENTORY_URL"]
CUSTOMERS_URL = os.environ["CUSTOMERS_URL"]

inventory = httpx.Client(base_url=INVENTORY_URL, timeout=5.0)
customers = httpx.Client(base_url=CUSTOMERS_URL, timeout=5.0)


@retry(  # expect: SP203
    stop=stop_after_attempt(5),
    wait=wait_exponential(multiplier=0.5, min=1, max=10),
    retry=retry_if_exception_type(httpx.TransportError),
)
def check_stock(sku: str, quantity: int) -> bool:
    resp = inventory.get(f"/stock/{sku}")
    resp.raise_for_status()
    return resp.json()["available"] >= quantity


@retry(stop=stop_after_attempt(3), wait=wait_exponential())  # expect: SP203
def customer(customer_id: str) -> dict:
    resp = customers.get(f"/customers/{customer_id}")
    resp.raise_for_status()
    return resp.json()
