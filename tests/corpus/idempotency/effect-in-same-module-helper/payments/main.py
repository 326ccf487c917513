"""Payments API; persistence lives in small helpers below the routes."""

import sqlite3
import uuid
from datetime import UTC, datetime

from fastapi import Depends, FastAPI
from pydantic import BaseModel

app = FastAPI()


class Charge(BaseModel):
    user_id: str
    amount_cents: int
    currency: str = "EUR"


def get_db():
    conn = sqlite3.connect("payments.db", check_same_thread=False)
    try:
        yield conn
    finally:
        conn.close()


@app.post("/charges")
def charge(req: Charge, conn: sqlite3.Connection = Depends(get_db)) -> dict:  # expect: SP401
    charge_id = uuid.uuid4().hex
    _save_charge(conn, charge_id, req)
    return {"id": charge_id}


def _save_charge(conn: sqlite3.Connection, charge_id: str, req: Charge) -> None:
    conn.execute(
        "INSERT INTO charges (id, user_id, amount_cents, currency, created_at) VALUES (?, ?, ?, ?, ?)",
        (charge_id, req.user_id, req.amount_cents, req.currency, datetime.now(UTC).isoformat()),
    )
    conn.commit()
