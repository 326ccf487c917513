import os

import httpx

from inventory.utils import retry

WAREHOUSE_URL = os.environ["WAREHOUSE_URL"]
warehouse = httpx.Client(base_url=WAREHOUSE_URL, timeout=5.0)


@retry
def on_hand(sku: str) -> int:
    return warehouse.get(f"/stock/{sku}").json()["on_hand"]


@retry
def adjust(sku: str, delta: int, reason: str) -> None:
    warehouse.post(f"/stock/{sku}/adjustments", json={"delta": delta, "reason": reason})
