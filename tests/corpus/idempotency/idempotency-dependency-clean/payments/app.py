"""Payments API guarded by the idempotency dependency."""

import sqlite3

from fastapi import Depends, FastAPI

from payments.deps import require_idempotency_key

app = FastAPI()
conn = sqlite3.connect("payments.db", check_same_thread=False)


@app.post("/charges", dependencies=[Depends(require_idempotency_key)])
def charge(payload: dict) -> dict:
    cur = conn.execute("INSERT INTO charges (amount) VALUES (?)", (payload["amount"],))
    conn.commit()
    return {"id": cur.lastrowid}


@app.post("/refunds")
def refund(payload: dict, key: str = Depends(require_idempotency_key)) -> dict:
    conn.execute("INSERT INTO refunds (charge_id) VALUES (?)", (payload["charge_id"],))
    conn.commit()
    return {"ok": True, "key": key}
