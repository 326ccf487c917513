"""Payments: one payment per booking; a repeated request returns the stored one.

The refund, a compensation, writes a status with no key and no check of its own.
"""

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy.orm import Session

from payments.database import get_db
from payments.models import Payment

app = FastAPI()


class PaymentCreate(BaseModel):
    booking_id: str
    amount: float


@app.post("/payments", status_code=201)
def create_payment(payload: PaymentCreate, db: Session = Depends(get_db)) -> dict:
    existing = db.query(Payment).filter(Payment.booking_id == payload.booking_id).first()
    if existing:
        return {"id": existing.id, "status": existing.status}
    payment = Payment(booking_id=payload.booking_id, amount=payload.amount, status="captured")
    db.add(payment)
    db.commit()
    db.refresh(payment)
    return {"id": payment.id, "status": payment.status}


@app.post("/payments/{payment_id}/refund")
def refund(payment_id: int, db: Session = Depends(get_db)) -> dict:  # expect: SP401
    payment = db.get(Payment, payment_id)
    if payment is None:
        raise HTTPException(status_code=404, detail="payment not found")
    payment.status = "refunded"
    db.commit()
    return {"id": payment.id, "status": payment.status}
