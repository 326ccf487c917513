"""Payments API delegating persistence to the repository module."""

import os

import psycopg
from fastapi import FastAPI
from pydantic import BaseModel

from payments.repository import record_payment

app = FastAPI()


class PaymentIn(BaseModel):
    booking_id: str
    amount: float


@app.post("/payments", status_code=201)
def pay(body: PaymentIn) -> dict:
    with psycopg.connect(os.environ["PAYMENTS_DSN"]) as conn:
        return {"id": record_payment(conn, body.booking_id, body.amount)}
