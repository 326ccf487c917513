"""Inventory calls through a synchronous purgatory factory."""

import os

import requests
from purgatory import SyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

INVENTORY_URL = os.environ["INVENTORY_URL"]
cb_factory = SyncCircuitBreakerFactory(default_threshold=3, default_ttl=20)


def reserve_stock(sku: str, qty: int) -> str | None:
    try:
        with cb_factory.get_breaker("inventory"):
            resp = requests.post(
                f"{INVENTORY_URL}/reservations", json={"sku": sku, "qty": qty}, timeout=4
            )
            resp.raise_for_status()
    except OpenedState:
        return None
    return resp.json()["reservation_id"]


def stock_for(sku: str) -> int:
    with cb_factory.get_breaker("inventory"):
        return requests.get(f"{INVENTORY_URL}/stock/{sku}", timeout=2).json()["qty"]
