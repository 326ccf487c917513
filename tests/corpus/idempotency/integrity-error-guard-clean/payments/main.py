"""Payments: booking_id is unique; a replay hits the constraint and returns the first payment."""

from fastapi import Depends, FastAPI
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payments.db import get_db
from payments.models import Payment

app = FastAPI()


class PaymentIn(BaseModel):
    booking_id: str
    amount: float


@app.post("/payments", status_code=201)
def create_payment(body: PaymentIn, db: Session = Depends(get_db)) -> dict:
    payment = Payment(booking_id=body.booking_id, amount=body.amount)
    db.add(payment)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        payment = db.scalars(select(Payment).where(Payment.booking_id == body.booking_id)).one()
    return {"id": payment.id}
