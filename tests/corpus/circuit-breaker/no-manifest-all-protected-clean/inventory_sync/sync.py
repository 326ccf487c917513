"""Syncs stock levels from the supplier API; no manifest in this repo."""

import logging
import os
import time

import pybreaker
import requests

log = logging.getLogger("inventory_sync")
SUPPLIER_API = os.getenv("SUPPLIER_API", "https://supplier.example.com/api")
supplier_breaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=60)
session = requests.Session()


@supplier_breaker
def fetch_stock(page: int) -> list[dict]:
    resp = session.get(f"{SUPPLIER_API}/stock", params={"page": page}, timeout=10)
    resp.raise_for_status()
    return resp.json()["items"]


@supplier_breaker
def ack_page(page: int) -> None:
    session.post(f"{SUPPLIER_API}/stock/ack", json={"page": page}, timeout=10).raise_for_status()


def run_once() -> int:
    count = 0
    for page in range(1, 50):
        try:
            items = fetch_stock(page)
        except pybreaker.CircuitBreakerError:
            log.warning("supplier breaker open, stopping at page %d", page)
            break
        if not items:
            break
        count += len(items)
        ack_page(page)
    return count


if __name__ == "__main__":
    while True:
        log.info("synced %d items", run_once())
        time.sleep(300)
