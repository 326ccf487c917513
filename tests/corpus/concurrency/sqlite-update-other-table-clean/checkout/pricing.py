"""Recompute an order's total from catalogue prices (read one table, write another)."""

import sqlite3

DB = "checkout.db"


def reprice_line(order_id: str, sku: str, quantity: int) -> int:
    conn = sqlite3.connect(DB)
    try:
        price = conn.execute("SELECT price_cents FROM products WHERE sku = ?", (sku,)).fetchone()[0]
        line_total = price * quantity
        conn.execute(
            "UPDATE order_lines SET line_total = ? WHERE order_id = ? AND sku = ?",
            (line_total, order_id, sku),
        )
        conn.commit()
        return line_total
    finally:
        conn.close()
