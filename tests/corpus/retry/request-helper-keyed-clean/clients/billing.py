import logging
import random
import time
import uuid
from typing import Any

import httpx

log = logging.getLogger(__name__)


class BillingClient:
    def __init__(self, base_url: str, attempts: int = 4) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=5.0)
        self._attempts = attempts

    def _send(self, method: str, path: str, *, key: str | None = None, **kwargs: Any) -> dict:
        headers = {"Idempotency-Key": key} if key else {}
        for attempt in range(self._attempts):
            try:
                resp = self._client.request(method, path, headers=headers, **kwargs)
                resp.raise_for_status()
                return resp.json()
            except httpx.TransportError as exc:
                if attempt == self._attempts - 1:
                    raise
                log.info("billing transport error %s; retrying", exc)
                time.sleep(random.uniform(0, 0.2 * 2**attempt))
        raise AssertionError("unreachable")

    def invoice(self, order_id: str, lines: list[dict]) -> dict:
        return self._send("POST", "/invoices", key=f"invoice-{order_id}", json={"lines": lines})

    def void(self, invoice_id: str) -> dict:
        return self._send("DELETE", f"/invoices/{invoice_id}", key=str(uuid.uuid4()))

    def get(self, invoice_id: str) -> dict:
        return self._send("GET", f"/invoices/{invoice_id}")
