"""Event handlers; each records the event id first and skips ids it has seen."""

import sqlite3

DB = sqlite3.connect("orders.db", check_same_thread=False)


def handle_order_paid(event: dict) -> None:
    cur = DB.execute("INSERT OR IGNORE INTO processed_events (event_id) VALUES (?)", (event["id"],))
    if cur.rowcount == 0:
        return
    DB.execute(
        "INSERT INTO shipments_to_create (order_id, address) VALUES (?, ?)",
        (event["order_id"], event["address"]),
    )
    DB.commit()
