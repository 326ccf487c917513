"""Payments API."""

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy.orm import Session

from payments import crud, schemas
from payments.database import get_db

app = FastAPI(title="Payments Service")


@app.post("/payments", response_model=schemas.Payment, status_code=201)
def create_payment(payment: schemas.PaymentCreate, db: Session = Depends(get_db)):  # expect: SP401
    return crud.create_payment(db, payment)


@app.post("/payments/{payment_id}/refund", response_model=schemas.Payment)
def refund_payment(payment_id: int, db: Session = Depends(get_db)):  # expect: SP401
    payment = crud.get_payment(db, payment_id)
    if payment is None:
        raise HTTPException(status_code=404, detail="Payment not found")
    return crud.refund_payment(db, payment)
