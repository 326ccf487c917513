import os
import uuid

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
payments = httpx.Client(base_url=PAYMENTS_URL, timeout=10.0)


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


@retry(
    stop=stop_after_attempt(3),
    wait=wait_random_exponential(multiplier=1, max=10),
    retry=retry_if_exception_type(httpx.TransportError),
    reraise=True,
)
def charge(booking_id: str, amount_cents: int, idempotency_key: str) -> str:
    # The key is created once by the caller, so every attempt carries the same one.
    resp = payments.post(
        "/charges",
        json={"booking_id": booking_id, "amount_cents": amount_cents},
        headers={"Idempotency-Key": idempotency_key},
    )
    resp.raise_for_status()
    return resp.json()["charge_id"]


@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10), reraise=True)
def refund(charge_id: str, idempotency_key: str) -> None:
    resp = payments.post(
        "/refunds", json={"charge_id": charge_id}, headers={"idempotency-key": idempotency_key}
    )
    resp.raise_for_status()


def book(booking_id: str, amount_cents: int) -> str:
    return charge(booking_id, amount_cents, new_idempotency_key())
