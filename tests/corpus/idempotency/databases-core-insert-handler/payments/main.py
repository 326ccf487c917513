"""Payments with `databases` and SQLAlchemy Core tables."""

import os

import databases
import sqlalchemy
from fastapi import FastAPI
from pydantic import BaseModel

DATABASE_URL = os.getenv("DATABASE_URL", "sqlite:///./payments.db")
database = databases.Database(DATABASE_URL)
metadata = sqlalchemy.MetaData()
payments = sqlalchemy.Table(
    "payments",
    metadata,
    sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
    sqlalchemy.Column("booking_id", sqlalchemy.String),
    sqlalchemy.Column("amount", sqlalchemy.Float),
)
app = FastAPI()


class PaymentIn(BaseModel):
    booking_id: str
    amount: float


@app.on_event("startup")
async def startup() -> None:
    await database.connect()


@app.post("/payments")
async def create_payment(payment: PaymentIn) -> dict:  # expect: SP401
    query = payments.insert().values(booking_id=payment.booking_id, amount=payment.amount)
    payment_id = await database.execute(query)
    return {"id": payment_id}
