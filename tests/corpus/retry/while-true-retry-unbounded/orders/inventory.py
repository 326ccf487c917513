import logging
import os
import time

import requests

logger = logging.getLogger(__name__)

INVENTORY_URL = os.environ["INVENTORY_URL"]


def fetch_stock(sku: str) -> int:
    while True:  # expect: SP201, SP202
        try:
            resp = requests.get(f"{INVENTORY_URL}/stock/{sku}", timeout=5)
            resp.raise_for_status()
            return resp.json()["quantity"]
        except requests.RequestException as exc:
            logger.warning("inventory unavailable (%s), retrying", exc)
            time.sleep(2)


def fetch_many(skus: list[str]) -> dict[str, int]:
    return {sku: fetch_stock(sku) for sku in skus}
