"""Refund eligibility: asks payments over its API instead of reading its tables."""

import os
import sqlite3

import httpx

ORDERS_DB_PATH = os.environ.get("ORDERS_DB_PATH", "orders.db")
payments = httpx.Client(base_url=os.environ["PAYMENTS_URL"], timeout=3.0)


def refundable(order_id: str) -> bool:
    conn = sqlite3.connect(ORDERS_DB_PATH)
    try:
        row = conn.execute("SELECT status FROM orders WHERE id = ?", (order_id,)).fetchone()
    finally:
        conn.close()
    if row is None or row[0] != "delivered":
        return False
    charge = payments.get(f"/charges/by-order/{order_id}")
    return charge.status_code == 200 and charge.json()["status"] == "captured"
