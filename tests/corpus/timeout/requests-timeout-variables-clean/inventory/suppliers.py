import os
from dataclasses import dataclass, field

import requests

SUPPLIER_TIMEOUT = int(os.environ.get("SUPPLIER_TIMEOUT", "8"))


@dataclass
class SupplierClient:
    base_url: str
    timeout: float = 5.0
    session: requests.Session = field(default_factory=requests.Session)

    def catalogue(self) -> list[dict]:
        resp = self.session.get(f"{self.base_url}/catalogue", timeout=self.timeout)
        resp.raise_for_status()
        return resp.json()

    def order(self, sku: str, quantity: int, timeout: float | None = None) -> str:
        resp = self.session.post(
            f"{self.base_url}/purchase-orders",
            json={"sku": sku, "quantity": quantity},
            timeout=timeout or self.timeout,
        )
        resp.raise_for_status()
        return resp.json()["po_number"]


def lead_time(base_url: str, sku: str) -> int:
    resp = requests.get(f"{base_url}/lead-times/{sku}", timeout=SUPPLIER_TIMEOUT)
    resp.raise_for_status()
    return resp.json()["days"]
