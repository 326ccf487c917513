"""Event handlers for the orders worker."""

import sqlite3

DB = sqlite3.connect("orders.db", check_same_thread=False)


def handle_order_paid(event: dict) -> None:
    DB.execute(
        "INSERT INTO shipments_to_create (order_id, address) VALUES (?, ?)",
        (event["order_id"], event["address"]),
    )
    DB.commit()


def handle_order_cancelled(event: dict) -> None:
    DB.execute("DELETE FROM shipments_to_create WHERE order_id = ?", (event["order_id"],))
    DB.commit()
