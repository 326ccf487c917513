"""Orders' clients: the payment call is retried on transport errors."""

import os

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
INVOICING_URL = os.environ["INVOICING_URL"]
client = httpx.Client(timeout=5.0)


@retry(
    stop=stop_after_attempt(4),
    wait=wait_random_exponential(multiplier=0.3, max=5),
    retry=retry_if_exception_type(httpx.TransportError),
)
def pay(order_id: str, amount_cents: int) -> str:
    resp = client.post(f"{PAYMENTS_URL}/payments", json={"order_id": order_id, "amount": amount_cents})
    resp.raise_for_status()
    return resp.json()["id"]


def invoice(order_id: str, amount_cents: int) -> str:
    resp = client.post(f"{INVOICING_URL}/invoices", json={"order_id": order_id, "amount": amount_cents})
    resp.raise_for_status()
    return resp.json()["number"]
