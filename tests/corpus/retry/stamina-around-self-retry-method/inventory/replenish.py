import logging
import os

import httpx
import stamina
from tenacity import retry, stop_after_attempt, wait_random_exponential

log = logging.getLogger(__name__)

SUPPLIERS_URL = os.environ["SUPPLIERS_URL"]


class Replenisher:
    def __init__(self) -> None:
        self.client = httpx.Client(base_url=SUPPLIERS_URL, timeout=5.0)

    @retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=5), reraise=True)
    def _supplier_stock(self, supplier_id: str, sku: str) -> int:
        resp = self.client.get(f"/suppliers/{supplier_id}/stock/{sku}")
        resp.raise_for_status()
        return resp.json()["quantity"]

    @stamina.retry(on=httpx.HTTPError, attempts=3)  # expect: SP205
    def best_supplier(self, sku: str, supplier_ids: list[str]) -> str | None:
        stock = {s: self._supplier_stock(s, sku) for s in supplier_ids}
        available = [s for s, qty in stock.items() if qty > 0]
        log.debug("suppliers with %s: %s", sku, available)
        return available[0] if available else None
