"""A prototype whose manifest turns the idempotency policy off."""

import sqlite3

from fastapi import FastAPI

app = FastAPI()
conn = sqlite3.connect("payments.db", check_same_thread=False)


@app.post("/charges")
def charge(payload: dict) -> dict:
    cur = conn.execute("INSERT INTO charges (amount) VALUES (?)", (payload["amount"],))
    conn.commit()
    return {"id": cur.lastrowid}


@app.post("/refunds")
def refund(payload: dict) -> dict:
    conn.execute("INSERT INTO refunds (charge_id) VALUES (?)", (payload["charge_id"],))
    conn.commit()
    return {"ok": True}
