"""Invoice list page. Reads straight from the billing database "for speed"."""

import os

import psycopg
from flask import Blueprint, jsonify

bp = Blueprint("invoices", __name__)
DSN = os.environ["BILLING_DATABASE_URL"]  # expect: SP801, SP803


@bp.get("/invoices/<customer_id>")
def invoices(customer_id: str):
    with psycopg.connect(DSN) as conn:  # expect: SP801
        rows = conn.execute(
            "SELECT id, total_cents, status FROM invoices WHERE customer_id = %s", (customer_id,)
        ).fetchall()
    return jsonify([{"id": r[0], "total": r[1], "status": r[2]} for r in rows])
