"""Developer tool: seed local databases and smoke-test the running stack."""

import os
import sqlite3

import requests


def seed() -> None:
    conn = sqlite3.connect(os.environ.get("ORDERS_DB", "orders.db"))
    with conn:
        conn.executemany(
            "INSERT OR IGNORE INTO orders (id, status) VALUES (?, ?)",
            [("o-1", "paid"), ("o-2", "pending")],
        )


def smoke() -> None:
    for url in ("http://localhost:8000/health", "http://localhost:8001/health"):
        print(url, requests.get(url, timeout=2).status_code)
    requests.post("http://orders:8001/orders", json={"sku": "A1"}, timeout=2)


if __name__ == "__main__":
    seed()
    smoke()
