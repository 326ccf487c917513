"""Order status transitions: every write is a value from the request, not from the row."""

from datetime import datetime, timezone

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import DateTime, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

engine = create_engine("sqlite:///orders.db")
bp = Blueprint("orders", __name__)


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    status: Mapped[str] = mapped_column(String, default="pending")
    carrier: Mapped[str | None] = mapped_column(String, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


@bp.post("/orders/<order_id>/ship")
def ship(order_id: str):
    payload = request.get_json(force=True)
    with Session(engine) as session:
        order = session.get(Order, order_id)
        if order is None:
            abort(404)
        if order.status != "paid":
            abort(409)
        order.status = "shipped"
        order.carrier = payload.get("carrier", "ups")
        order.updated_at = datetime.now(timezone.utc)
        session.commit()
        return jsonify(id=order.id, status=order.status)


@bp.get("/orders/<order_id>")
def show(order_id: str):
    with Session(engine) as session:
        order = session.get(Order, order_id)
        if order is None:
            abort(404)
        return jsonify(id=order.id, status=order.status, carrier=order.carrier)
