"""Nightly job: refresh the gross price column from the net price (derived data)."""

import sqlite3

VAT = {"DE": 0.19, "FR": 0.20, "GB": 0.20}


def refresh_gross_prices(db_path: str) -> int:
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT sku, net_cents, country FROM products").fetchall()
    for sku, net_cents, country in rows:
        gross = round(net_cents * (1 + VAT.get(country, 0.0)))
        conn.execute("UPDATE products SET gross_cents = ? WHERE sku = ?", (gross, sku))
    conn.commit()
    conn.close()
    return len(rows)
