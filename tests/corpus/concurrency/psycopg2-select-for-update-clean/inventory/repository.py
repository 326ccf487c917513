"""Inventory repository backed by Postgres (psycopg2), row locked while it is changed."""

import os

import psycopg2


class OutOfStock(Exception):
    pass


class InventoryRepository:
    def __init__(self) -> None:
        self.conn = psycopg2.connect(os.environ["INVENTORY_DSN"])

    def reserve(self, sku: str, qty: int) -> int:
        with self.conn:  # commits on success, rolls back on error
            with self.conn.cursor() as cur:
                cur.execute(
                    "SELECT quantity FROM stock WHERE sku = %s FOR UPDATE", (sku,)
                )
                row = cur.fetchone()
                if row is None or row[0] < qty:
                    raise OutOfStock(sku)
                left = row[0] - qty
                cur.execute("UPDATE stock SET quantity = %s WHERE sku = %s", (left, sku))
        return left

    def release(self, sku: str, qty: int) -> None:
        with self.conn, self.conn.cursor() as cur:
            cur.execute(
                "UPDATE stock SET quantity = quantity + %s WHERE sku = %s", (qty, sku)
            )
