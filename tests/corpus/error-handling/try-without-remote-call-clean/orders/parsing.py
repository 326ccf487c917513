import json
import logging
import os
import sqlite3

import requests

log = logging.getLogger(__name__)

ORDERS_URL = os.environ["ORDERS_URL"]
db = sqlite3.connect(os.environ.get("ORDERS_DB", "orders.db"))


def parse_metadata(raw: str) -> dict:
    try:
        return json.loads(raw)
    except Exception:
        return {}


def archive(order_id: str) -> None:
    try:
        db.execute("INSERT INTO archive (order_id) VALUES (?)", (order_id,))
        db.commit()
    except Exception:
        log.exception("archive failed")


def fetch_order(order_id: str) -> dict:
    resp = requests.get(f"{ORDERS_URL}/orders/{order_id}", timeout=5)
    try:
        metadata = json.loads(resp.json().get("metadata") or "{}")
    except Exception:
        metadata = {}
    return {**resp.json(), "metadata": metadata}
