"""Orders: takes a basket, opens a kitchen ticket, books a courier."""

import logging
import os
import uuid
from datetime import UTC, datetime

from flask import Flask, abort, jsonify, request
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from orders.services.couriers import CourierClient, CourierUnavailableError
from orders.services.kitchen import KitchenClient
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

logger = logging.getLogger("orders")
RequestsInstrumentor().instrument()

engine = create_engine(os.environ["ORDERS_DATABASE_URL"])
SessionLocal = sessionmaker(engine, expire_on_commit=False)
app = Flask(__name__)
kitchen = KitchenClient()
couriers = CourierClient()


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(unique=True)
    restaurant_id: Mapped[str]
    address: Mapped[str]
    status: Mapped[str]
    ticket_id: Mapped[int | None]
    delivery_id: Mapped[int | None]
    tip_cents: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


def as_dict(order: Order) -> dict:
    return {"id": order.id, "status": order.status, "tip_cents": order.tip_cents}


@app.post("/orders")
def place_order():
    key = request.headers.get("Idempotency-Key")
    if not key:
        abort(400, "Idempotency-Key header required")
    basket = request.get_json(force=True)
    with SessionLocal() as session:
        existing = session.scalar(select(Order).where(Order.idempotency_key == key))
        if existing is not None:
            return jsonify(as_dict(existing))
        order = Order(
            id=str(uuid.uuid4()),
            idempotency_key=key,
            restaurant_id=basket["restaurant_id"],
            address=basket["address"],
            status="pending",
            created_at=datetime.now(UTC),
        )
        session.add(order)
        session.commit()

    ticket = kitchen.open_ticket(order.id, order.restaurant_id, basket["items"])
    try:
        delivery = couriers.book(order.id, order.address)
    except Exception as exc:
        kitchen.cancel_ticket(ticket["ticket_id"])
        logger.warning("order %s cancelled, no delivery: %s", order.id, exc)
        status = 409 if isinstance(exc, CourierUnavailableError) else 502
        abort(status, "no courier could take this order")

    with SessionLocal() as session:
        order.ticket_id = ticket["ticket_id"]
        order.delivery_id = delivery["delivery_id"]
        order.status = "confirmed"
        session.merge(order)
        session.commit()
    return jsonify(as_dict(order)), 201


@app.get("/orders/<order_id>")
def get_order(order_id: str):
    with SessionLocal() as session:
        order = session.get(Order, order_id)
        if order is None:
            abort(404)
        return jsonify(as_dict(order))


@app.post("/orders/<order_id>/cancel")
def cancel_order(order_id: str):
    with SessionLocal() as session:
        order = session.scalar(select(Order).where(Order.id == order_id).with_for_update())
        if order is None:
            abort(404)
        if order.status != "confirmed":
            return jsonify(as_dict(order))
        order.status = "cancelled"
        session.commit()
    couriers.cancel(order.delivery_id)
    kitchen.cancel_ticket(order.ticket_id)
    return jsonify(as_dict(order))


@app.post("/orders/<order_id>/tip")
def add_tip(order_id: str):
    cents = int(request.get_json(force=True)["cents"])
    with SessionLocal() as session:
        order = session.query(Order).filter_by(id=order_id).first()
        if order is None:
            abort(404)
        order.tip_cents = order.tip_cents + cents
        session.commit()  # tips are paid out nightly from this column
        return jsonify(as_dict(order))
