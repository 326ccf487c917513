"""Restock worker; no manifest, so the whole tree is one system."""

import logging
import os
import time

import requests

log = logging.getLogger("restock")
CATALOG = os.getenv("CATALOG_URL", "http://catalog:8000")
WAREHOUSE = os.getenv("WAREHOUSE_URL", "http://warehouse:8000")
session = requests.Session()


def low_stock_skus(threshold: int) -> list[str]:
    resp = session.get(f"{CATALOG}/skus", params={"below": threshold}, timeout=5)  # expect: SP601
    resp.raise_for_status()
    return [item["sku"] for item in resp.json()]


def order_restock(sku: str, qty: int) -> None:
    resp = requests.post(  # expect: SP601
        f"{WAREHOUSE}/restock-orders", json={"sku": sku, "qty": qty}, timeout=5
    )
    resp.raise_for_status()
    log.info("restock ordered for %s", sku)


def main() -> None:
    while True:
        for sku in low_stock_skus(threshold=10):
            order_restock(sku, qty=50)
        time.sleep(60)


if __name__ == "__main__":
    main()
