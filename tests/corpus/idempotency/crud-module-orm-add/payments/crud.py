"""CRUD helpers for payments."""

from sqlalchemy.orm import Session

from payments import models, schemas


def create_payment(db: Session, payment: schemas.PaymentCreate) -> models.Payment:
    db_payment = models.Payment(booking_id=payment.booking_id, amount=payment.amount, status="completed")
    db.add(db_payment)
    db.commit()
    db.refresh(db_payment)
    return db_payment


def get_payment(db: Session, payment_id: int) -> models.Payment | None:
    return db.query(models.Payment).filter(models.Payment.id == payment_id).first()


def refund_payment(db: Session, payment: models.Payment) -> models.Payment:
    payment.status = "refunded"
    db.commit()
    db.refresh(payment)
    return payment
