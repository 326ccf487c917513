"""Invoicing service: its caller does not retry, so it is not held to idempotency."""

import sqlite3

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
conn = sqlite3.connect("invoices.db", check_same_thread=False)


class InvoiceIn(BaseModel):
    order_id: str
    amount: int


@app.post("/invoices")
def create_invoice(body: InvoiceIn) -> dict:
    cur = conn.execute(
        "INSERT INTO invoices (order_id, amount) VALUES (?, ?)", (body.order_id, body.amount)
    )
    conn.commit()
    return {"number": f"INV-{cur.lastrowid:06d}"}
