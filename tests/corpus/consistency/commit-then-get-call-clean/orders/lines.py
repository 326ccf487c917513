import os

import httpx
import psycopg

CATALOG_URL = os.environ["CATALOG_URL"]


def add_line(conn: psycopg.Connection, order_id: str, sku: str, qty: int) -> dict:
    product = httpx.get(f"{CATALOG_URL}/products/{sku}", timeout=3).json()
    with conn.transaction():
        conn.execute(
            "INSERT INTO order_lines (order_id, sku, qty, unit_price) VALUES (%s, %s, %s, %s)",
            (order_id, sku, qty, product["price"]),
        )
    availability = httpx.get(f"{CATALOG_URL}/products/{sku}/availability", timeout=3)
    return {"sku": sku, "qty": qty, "in_stock": availability.json()["in_stock"]}
