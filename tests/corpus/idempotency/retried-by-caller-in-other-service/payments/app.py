"""Payments service."""

import sqlite3

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
conn = sqlite3.connect("payments.db", check_same_thread=False)


class PaymentIn(BaseModel):
    order_id: str
    amount: int


@app.post("/payments")
def take_payment(body: PaymentIn) -> dict:  # expect: SP401
    cur = conn.execute(
        "INSERT INTO payments (order_id, amount) VALUES (?, ?)", (body.order_id, body.amount)
    )
    conn.commit()
    return {"id": cur.lastrowid}
