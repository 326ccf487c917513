"""Outgoing HTTP helpers for the orders service."""

import logging
import os
from typing import Any

import requests

log = logging.getLogger(__name__)

INVENTORY_URL = os.environ["INVENTORY_URL"]
NOTIFY_URL = os.getenv("NOTIFICATIONS_URL")  # expect: SP802


def _post_json(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    resp = requests.post(url, json=payload, timeout=5)
    resp.raise_for_status()
    return resp.json()


def reserve_items(order_id: str, items: list[dict]) -> dict:
    return _post_json(f"{INVENTORY_URL}/reservations", {"order_id": order_id, "items": items})


def notify_customer(email: str, order_id: str) -> None:
    try:
        _post_json(f"{NOTIFY_URL}/emails", {"to": email, "template": "order-placed", "order": order_id})  # expect: SP802
    except requests.RequestException as exc:
        log.warning("could not notify %s: %s", email, exc)
