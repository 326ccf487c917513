"""Payments: the handler checks that the booking exists -- which is not deduplication."""

import sqlite3
import uuid

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()
conn = sqlite3.connect("payments.db", check_same_thread=False)


class PaymentCreate(BaseModel):
    booking_id: str
    amount: float


@app.post("/payments", status_code=201)
def create_payment(payload: PaymentCreate) -> dict:  # expect: SP401
    booking = conn.execute("SELECT id FROM bookings WHERE id = ?", (payload.booking_id,)).fetchone()
    if booking is None:
        raise HTTPException(status_code=404, detail="unknown booking")
    payment_id = uuid.uuid4().hex
    conn.execute(
        "INSERT INTO payments (id, booking_id, amount) VALUES (?, ?, ?)",
        (payment_id, payload.booking_id, payload.amount),
    )
    conn.commit()
    return {"id": payment_id}
