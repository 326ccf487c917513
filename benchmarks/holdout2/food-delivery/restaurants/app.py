"""Restaurants: menus, stock of each dish, and kitchen tickets."""

import os
import sqlite3
from contextlib import closing

from flask import Flask, abort, jsonify, request

MENU_DB = os.environ["MENU_DB"]

app = Flask(__name__)


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(MENU_DB, timeout=5)
    conn.row_factory = sqlite3.Row
    return conn


@app.get("/restaurants")
def near():
    postcode = request.args.get("postcode", "")
    with closing(connect()) as conn:
        rows = conn.execute(
            "SELECT id, name FROM restaurants WHERE postcode_prefix = substr(?, 1, 3)",
            (postcode,),
        ).fetchall()
    return jsonify({"items": [dict(row) for row in rows]})


@app.get("/restaurants/<restaurant_id>/menu")
def menu(restaurant_id: str):
    with closing(connect()) as conn:
        rows = conn.execute(
            "SELECT id, name, price_cents, stock FROM items WHERE restaurant_id = ?",
            (restaurant_id,),
        ).fetchall()
    return jsonify({"restaurant_id": restaurant_id, "items": [dict(row) for row in rows]})


@app.route("/tickets", methods=["POST"])
def open_ticket():
    key = request.headers.get("Idempotency-Key")
    if not key:
        abort(400, "Idempotency-Key header required")
    body = request.get_json(force=True)
    with closing(connect()) as conn, conn:
        cur = conn.execute(
            "INSERT OR IGNORE INTO tickets (idempotency_key, order_id, restaurant_id, status)"
            " VALUES (?, ?, ?, 'open')",
            (key, body["order_id"], body["restaurant_id"]),
        )
        ticket = conn.execute("SELECT id FROM tickets WHERE idempotency_key = ?", (key,)).fetchone()
        if cur.rowcount == 0:
            return jsonify({"ticket_id": ticket["id"]}), 200
        for item in body["items"]:
            row = conn.execute("SELECT stock FROM items WHERE id = ?", (item["id"],)).fetchone()
            if row is None or row["stock"] < item["qty"]:
                abort(409, f"item {item['id']} is sold out")
            remaining = row["stock"] - item["qty"]
            conn.execute("UPDATE items SET stock = ? WHERE id = ?", (remaining, item["id"]))
            conn.execute(
                "INSERT INTO ticket_items (ticket_id, item_id, qty) VALUES (?, ?, ?)",
                (ticket["id"], item["id"], item["qty"]),
            )
    return jsonify({"ticket_id": ticket["id"]}), 201


@app.route("/tickets/<ticket_id>", methods=["DELETE"])
def cancel_ticket(ticket_id: str):
    with closing(connect()) as conn, conn:
        cur = conn.execute(
            "UPDATE tickets SET status = 'cancelled' WHERE id = ? AND status = 'open'", (ticket_id,)
        )
        if cur.rowcount:
            conn.execute(
                "UPDATE items SET stock = stock + ("
                " SELECT qty FROM ticket_items WHERE ticket_id = ? AND item_id = items.id)"
                " WHERE id IN (SELECT item_id FROM ticket_items WHERE ticket_id = ?)",
                (ticket_id, ticket_id),
            )
    return jsonify({"ticket_id": ticket_id, "cancelled": bool(cur.rowcount)})
