import logging
import time

import requests
from tenacity import retry, stop_after_attempt, wait_random_exponential

logger = logging.getLogger(__name__)


class OrdersClient:
    """Client for the orders service, with a shared retry helper."""

    def __init__(self, base_url: str, max_retries: int = 3, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.timeout = timeout
        self.session = requests.Session()

    def _request(self, method: str, path: str, **kwargs) -> dict:
        for attempt in range(self.max_retries):  # expect: SP203
            try:
                response = self.session.request(
                    method, f"{self.base_url}{path}", timeout=self.timeout, **kwargs
                )
                response.raise_for_status()
                return response.json()
            except requests.exceptions.RequestException as exc:
                logger.warning("attempt %d for %s %s failed: %s", attempt + 1, method, path, exc)
                if attempt == self.max_retries - 1:
                    raise
                time.sleep(2**attempt)
        return {}

    def create_order(self, customer_id: str, items: list[dict]) -> dict:
        return self._request("POST", "/orders", json={"customer": customer_id, "items": items})  # expect: SP204

    def cancel_order(self, order_id: str, key: str) -> dict:
        return self._request("DELETE", f"/orders/{order_id}", headers={"Idempotency-Key": key})

    def get_order(self, order_id: str) -> dict:
        return self._request("GET", f"/orders/{order_id}")

    @retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10), reraise=True)  # expect: SP205
    def order_summary(self, order_id: str) -> dict:
        order = self._request("GET", f"/orders/{order_id}")
        return {"id": order["id"], "total": order["total_cents"]}
