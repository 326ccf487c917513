import os
from typing import Any

import requests

STOCK_API = os.environ["STOCK_API"]
session = requests.Session()


def call(method: str, url: str, **kwargs: Any) -> dict:
    resp = session.request(method, url, timeout=5, **kwargs)
    resp.raise_for_status()
    return resp.json()


def reserve(sku: str, qty: int) -> dict:
    return call("POST", f"{STOCK_API}/reservations", json={"sku": sku, "qty": qty})


def release(reservation_id: str) -> dict:
    return call("DELETE", STOCK_API + f"/reservations/{reservation_id}")
