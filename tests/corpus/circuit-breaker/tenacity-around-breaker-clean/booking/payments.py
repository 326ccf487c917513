"""Retries outside, breaker inside: an open breaker stops the retries at once."""

import os

import httpx
import pybreaker
from tenacity import (
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)


@retry(
    stop=stop_after_attempt(3),
    wait=wait_random_exponential(multiplier=0.5, max=4),
    retry=retry_if_exception_type(httpx.TransportError),
    reraise=True,
)
@breaker
def capture(charge_id: str, key: str) -> dict:
    resp = httpx.post(
        f"{PAYMENTS_URL}/charges/{charge_id}/capture",
        headers={"Idempotency-Key": key},
        timeout=5.0,
    )
    resp.raise_for_status()
    return resp.json()
