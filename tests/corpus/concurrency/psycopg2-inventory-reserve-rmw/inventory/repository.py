"""Inventory repository backed by Postgres (psycopg2)."""

import os

import psycopg2
import psycopg2.extras


class OutOfStock(Exception):
    pass


class InventoryRepository:
    def __init__(self) -> None:
        self.conn = psycopg2.connect(os.environ["INVENTORY_DSN"])

    def get_stock(self, sku: str) -> int:
        with self.conn.cursor() as cur:
            cur.execute("SELECT quantity FROM stock WHERE sku = %s", (sku,))
            row = cur.fetchone()
        return row[0] if row else 0

    def reserve(self, sku: str, qty: int) -> int:
        with self.conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute("SELECT quantity FROM stock WHERE sku = %s", (sku,))
            row = cur.fetchone()
            if row is None or row["quantity"] < qty:
                raise OutOfStock(sku)
            left = row["quantity"] - qty
            cur.execute("UPDATE stock SET quantity = %s WHERE sku = %s", (left, sku))  # expect: SP701
        self.conn.commit()
        return left

    def restock(self, sku: str, qty: int) -> None:
        with self.conn.cursor() as cur:
            cur.execute(
                "INSERT INTO stock (sku, quantity) VALUES (%s, %s) "
                "ON CONFLICT (sku) DO UPDATE SET quantity = stock.quantity + EXCLUDED.quantity",
                (sku, qty),
            )
        self.conn.commit()
