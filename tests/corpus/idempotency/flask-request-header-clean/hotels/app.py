"""Hotels (Flask): reservation creation is deduplicated on Idempotency-Key."""

import sqlite3

from flask import Flask, abort, jsonify, request

app = Flask(__name__)


def db() -> sqlite3.Connection:
    return sqlite3.connect("hotels.db")


@app.route("/reservations", methods=["POST"])
def reserve():
    key = request.headers.get("Idempotency-Key")
    if not key:
        abort(400, "missing Idempotency-Key")
    conn = db()
    row = conn.execute("SELECT id FROM reservations WHERE request_key = ?", (key,)).fetchone()
    if row:
        return jsonify(id=row[0]), 200
    data = request.get_json()
    cur = conn.execute(
        "INSERT INTO reservations (request_key, hotel_id, guest) VALUES (?, ?, ?)",
        (key, data["hotel_id"], data["guest"]),
    )
    conn.commit()
    return jsonify(id=cur.lastrowid), 201
