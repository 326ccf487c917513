import logging
import os

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

logger = logging.getLogger(__name__)

PAYMENTS_URL = os.environ["PAYMENTS_URL"]


class PaymentsClient:
    def __init__(self) -> None:
        self.client = httpx.Client(base_url=PAYMENTS_URL, timeout=10.0)

    @retry(
        stop=stop_after_attempt(3),
        wait=wait_random_exponential(multiplier=1, max=10),
        retry=retry_if_exception_type(httpx.TransportError),
        reraise=True,
    )
    def charge(self, booking_id: str, amount_cents: int, currency: str = "EUR") -> str:
        payload = {"booking_id": booking_id, "amount_cents": amount_cents, "currency": currency}
        resp = self.client.post("/charges", json=payload)  # expect: SP204
        resp.raise_for_status()
        charge_id = resp.json()["charge_id"]
        logger.info("charged %s for booking %s", charge_id, booking_id)
        return charge_id

    @retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10), reraise=True)
    def charge_status(self, charge_id: str) -> str:
        resp = self.client.get(f"/charges/{charge_id}")
        resp.raise_for_status()
        return resp.json()["status"]
