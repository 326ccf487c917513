import os
import sqlite3

import requests

WAREHOUSE_URL = os.environ["WAREHOUSE_URL"]


def place(conn: sqlite3.Connection, order_id: str, sku: str, qty: int) -> None:
    conn.execute(
        "INSERT INTO orders (id, sku, qty, status) VALUES (?, ?, ?, 'placed')", (order_id, sku, qty)
    )
    conn.commit()
    resp = requests.put(  # expect: SP902
        f"{WAREHOUSE_URL}/picks/{order_id}", json={"sku": sku, "qty": qty}, timeout=5
    )
    resp.raise_for_status()


def status(conn: sqlite3.Connection, order_id: str) -> str:
    row = conn.execute("SELECT status FROM orders WHERE id = ?", (order_id,)).fetchone()
    stock = requests.get(f"{WAREHOUSE_URL}/stock/{order_id}", timeout=5)
    return f"{row[0]} ({stock.status_code})"
