import os
import sqlite3

from fastapi import FastAPI, HTTPException

app = FastAPI()
DB = os.environ.get("PAYMENTS_DB_PATH", "payments.db")


@app.get("/charges/by-order/{order_id}")
def charge_for(order_id: str) -> dict:
    with sqlite3.connect(DB) as conn:
        row = conn.execute("SELECT id, status FROM charges WHERE order_id = ?", (order_id,)).fetchone()
    if row is None:
        raise HTTPException(404)
    return {"id": row[0], "status": row[1]}
