import os

import psycopg
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/customers/<customer_id>/invoices")
def invoices(customer_id: str):
    with psycopg.connect(os.environ["BILLING_DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT id, total_cents FROM invoices WHERE customer_id = %s", (customer_id,)
        ).fetchall()
    return jsonify([{"id": r[0], "total": r[1]} for r in rows])
