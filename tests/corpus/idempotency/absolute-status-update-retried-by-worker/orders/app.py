"""Orders: the payment endpoint only sets absolute values, yet it writes without a key."""

import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


def connect() -> sqlite3.Connection:
    return sqlite3.connect("orders.db")


@app.route("/orders/<int:order_id>/payment", methods=["PATCH"])
def record_payment(order_id: int):  # expect: SP401
    body = request.get_json()
    with connect() as conn:
        conn.execute(
            "UPDATE orders SET state = ?, paid_at = ? WHERE id = ?",
            (body["state"], body["paid_at"], order_id),
        )
    return jsonify(id=order_id, state=body["state"])


@app.route("/orders/<int:order_id>/notes", methods=["PATCH"])
def edit_notes(order_id: int):
    body = request.get_json()
    with connect() as conn:
        conn.execute("UPDATE orders SET notes = ? WHERE id = ?", (body["notes"], order_id))
    return jsonify(id=order_id)
