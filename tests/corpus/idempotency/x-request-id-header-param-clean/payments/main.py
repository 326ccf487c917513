"""Payments: the caller's X-Request-ID header is the key the payment is stored under."""

import sqlite3
import uuid

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel

app = FastAPI()
conn = sqlite3.connect("payments.db", check_same_thread=False)


class PaymentRequest(BaseModel):
    booking_id: str
    amount: float


@app.post("/payments")
async def create_payment(req: PaymentRequest, x_request_id: str | None = Header(None)) -> dict:
    if x_request_id is None:
        raise HTTPException(status_code=400, detail="X-Request-ID required")
    row = conn.execute("SELECT id FROM payments WHERE request_id = ?", (x_request_id,)).fetchone()
    if row:
        return {"payment_id": row[0]}
    payment_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO payments (id, request_id, booking_id, amount) VALUES (?, ?, ?, ?)",
        (payment_id, x_request_id, req.booking_id, req.amount),
    )
    conn.commit()
    return {"payment_id": payment_id}
