"""Payments service (sqlite): idempotent charges against prepaid accounts."""

import logging
import os
import sqlite3

from flask import Flask, g, jsonify, request

log = logging.getLogger("payments")
app = Flask(__name__)


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        # autocommit mode: transactions are opened explicitly below
        g.db = sqlite3.connect(os.environ["PAYMENTS_DB_PATH"], timeout=10, isolation_level=None)
        g.db.row_factory = sqlite3.Row
    return g.db


@app.teardown_appcontext
def close_db(exc: BaseException | None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


@app.post("/charges")
def create_charge():
    """Charge an account at most once per Idempotency-Key."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        return jsonify(error="Idempotency-Key required"), 400
    body = request.get_json(force=True)
    db = get_db()
    db.execute("BEGIN IMMEDIATE")
    inserted = db.execute(
        "INSERT OR IGNORE INTO charges (idempotency_key, account_id, amount_cents)"
        " VALUES (?, ?, ?)",
        (key, body["account_id"], body["amount_cents"]),
    )
    if inserted.rowcount == 0:
        db.execute("COMMIT")
        row = db.execute("SELECT id FROM charges WHERE idempotency_key = ?", (key,)).fetchone()
        return jsonify(id=row["id"], replayed=True), 200
    debited = db.execute(
        "UPDATE accounts SET balance_cents = balance_cents - ? WHERE id = ? AND balance_cents >= ?",
        (body["amount_cents"], body["account_id"], body["amount_cents"]),
    )
    if debited.rowcount == 0:
        db.execute("ROLLBACK")
        return jsonify(error="insufficient funds"), 402
    db.execute("COMMIT")
    return jsonify(id=inserted.lastrowid), 201


@app.post("/accounts/<account_id>/top-up")
def top_up(account_id: str):
    """Add funds; BEGIN IMMEDIATE takes the write lock before the balance is read."""
    amount = int(request.get_json(force=True)["amount_cents"])
    db = get_db()
    db.execute("BEGIN IMMEDIATE")
    row = db.execute("SELECT balance_cents FROM accounts WHERE id = ?", (account_id,)).fetchone()
    if row is None:
        db.execute("ROLLBACK")
        return jsonify(error="no such account"), 404
    balance = row["balance_cents"] + amount
    db.execute("UPDATE accounts SET balance_cents = ? WHERE id = ?", (balance, account_id))
    db.execute("COMMIT")
    log.info("account %s topped up to %d", account_id, balance)
    return jsonify(id=account_id, balance_cents=balance)


@app.post("/accounts/<account_id>/adjust")
def adjust(account_id: str):
    """Support-desk correction of a balance by a signed amount."""
    delta = int(request.get_json(force=True)["delta_cents"])
    db = get_db()
    row = db.execute("SELECT balance_cents FROM accounts WHERE id = ?", (account_id,)).fetchone()
    if row is None:
        return jsonify(error="no such account"), 404
    corrected = row["balance_cents"] + delta
    db.execute("UPDATE accounts SET balance_cents = ? WHERE id = ?", (corrected, account_id))
    log.info("account %s adjusted by %d", account_id, delta)
    return jsonify(id=account_id, balance_cents=corrected)
