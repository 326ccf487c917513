"""Couriers: accepts deliveries and hands them to the assignment worker."""

import os
import sqlite3
from contextlib import closing

from couriers.tasks import assign_courier
from flask import Flask, jsonify, request

COURIERS_DB = os.environ["COURIERS_DB"]

app = Flask(__name__)


@app.post("/deliveries")
def create_delivery():
    body = request.get_json(force=True)
    with closing(sqlite3.connect(COURIERS_DB)) as conn:
        cur = conn.execute(
            "INSERT INTO deliveries (order_id, address, status) VALUES (?, ?, 'searching')",
            (body["order_id"], body["address"]),
        )
        conn.commit()
        delivery_id = cur.lastrowid
    assign_courier.delay(delivery_id)
    return jsonify({"delivery_id": delivery_id, "status": "searching"}), 201


@app.delete("/deliveries/<delivery_id>")
def cancel_delivery(delivery_id: str):
    key = request.headers.get("Idempotency-Key", f"cancel-{delivery_id}")
    with closing(sqlite3.connect(COURIERS_DB)) as conn, conn:
        first_time = conn.execute(
            "INSERT OR IGNORE INTO handled_requests (key) VALUES (?)", (key,)
        ).rowcount
        if first_time:
            conn.execute(
                "UPDATE couriers SET status = 'idle' WHERE id ="
                " (SELECT courier_id FROM deliveries WHERE id = ?)",
                (delivery_id,),
            )
            conn.execute("UPDATE deliveries SET status = 'cancelled' WHERE id = ?", (delivery_id,))
    return jsonify({"delivery_id": delivery_id, "status": "cancelled"})
