"""Old sync job, still on the `retrying` library."""

import logging
import os

import requests
from retrying import retry

log = logging.getLogger(__name__)

ERP_URL = os.environ["ERP_URL"]
STOCK_URL = os.environ["STOCK_URL"]


def _is_connection_error(exc: Exception) -> bool:
    return isinstance(exc, requests.ConnectionError)


@retry  # expect: SP201, SP202
def erp_levels() -> dict:
    resp = requests.get(f"{ERP_URL}/stock-levels", timeout=30)
    resp.raise_for_status()
    return resp.json()


@retry(stop_max_attempt_number=5, wait_exponential_multiplier=500, wait_exponential_max=10000)  # expect: SP203
def push_level(sku: str, quantity: int) -> None:
    resp = requests.put(  # expect: SP204
        f"{STOCK_URL}/levels/{sku}", json={"quantity": quantity}, timeout=10
    )
    resp.raise_for_status()


@retry(
    stop_max_attempt_number=4,
    wait_exponential_multiplier=250,
    wait_jitter_max=500,
    retry_on_exception=_is_connection_error,
)
def level(sku: str) -> int:
    resp = requests.get(f"{STOCK_URL}/levels/{sku}", timeout=10)
    resp.raise_for_status()
    return resp.json()["quantity"]


@retry(stop_max_delay=30000, wait_fixed=2000)  # expect: SP202
def erp_health() -> bool:
    return requests.get(f"{ERP_URL}/health", timeout=5).ok


def sync() -> None:
    for sku, quantity in erp_levels().items():
        push_level(sku, quantity)
    log.info("synced stock levels")
