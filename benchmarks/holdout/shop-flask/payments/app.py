"""Payments service: charges customer accounts and refunds them.

Charges are idempotent on the caller's Idempotency-Key header; the account row
is locked while its balance changes.
"""

import logging
import os
import uuid

from flask import Flask, abort, jsonify, request
from pydantic import BaseModel, Field
from sqlalchemy import ForeignKey, Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

logger = logging.getLogger("payments")

engine = create_engine(os.environ["PAYMENTS_DATABASE_URL"], pool_pre_ping=True)


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    balance_cents: Mapped[int] = mapped_column(Integer, default=0)


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("accounts.customer_id"))
    order_id: Mapped[str] = mapped_column(String(36))
    amount_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="captured")


class ChargeRequest(BaseModel):
    order_id: str
    customer_id: str
    amount_cents: int = Field(gt=0)


app = Flask(__name__)


def payment_json(payment: Payment) -> dict:
    return {"id": payment.id, "order_id": payment.order_id, "status": payment.status}


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.post("/payments")
def create_payment():
    """Charge an account once per Idempotency-Key."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        return jsonify(error="Idempotency-Key header is required"), 400
    charge = ChargeRequest.model_validate(request.get_json(force=True))

    with Session(engine) as db, db.begin():
        existing = db.scalar(select(Payment).where(Payment.idempotency_key == key))
        if existing is not None:
            return jsonify(payment_json(existing)), 200

        account = db.execute(
            select(Account).where(Account.customer_id == charge.customer_id).with_for_update()
        ).scalar_one_or_none()
        if account is None:
            abort(404, description="unknown customer")
        if account.balance_cents < charge.amount_cents:
            return jsonify(error="insufficient funds"), 402

        account.balance_cents -= charge.amount_cents
        payment = Payment(
            id=str(uuid.uuid4()),
            idempotency_key=key,
            customer_id=charge.customer_id,
            order_id=charge.order_id,
            amount_cents=charge.amount_cents,
        )
        db.add(payment)
    logger.info("charged %s cents for order %s", charge.amount_cents, charge.order_id)
    return jsonify(payment_json(payment)), 201


@app.post("/payments/<payment_id>/refund")
def refund_payment(payment_id: str):
    """Give a payment's amount back to the customer's account."""
    with Session(engine) as db:
        payment = db.get(Payment, payment_id)
        if payment is None:
            abort(404)
        account = db.get(Account, payment.customer_id)
        account.balance_cents += payment.amount_cents
        payment.status = "refunded"
        db.commit()
        return jsonify(payment_json(payment))


@app.get("/payments/<payment_id>")
def get_payment(payment_id: str):
    with Session(engine) as db:
        payment = db.get(Payment, payment_id)
        if payment is None:
            abort(404)
        return jsonify(payment_json(payment))
