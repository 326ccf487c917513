"""Shipping service: books parcels with the warehouse and reports progress to orders."""

import logging
import os
import uuid
from datetime import UTC, datetime

import requests
from flask import Flask, jsonify, request
from sqlalchemy import DateTime, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

logger = logging.getLogger("shipping")

ORDERS_URL = os.environ.get("ORDERS_URL", "http://orders:5000")
NOTIFY_TIMEOUT = 2

engine = create_engine(os.environ["SHIPPING_DATABASE_URL"])
SessionLocal = sessionmaker(bind=engine)

app = Flask(__name__)


class Base(DeclarativeBase):
    pass


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(36), index=True)
    address: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="booked")
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.post("/shipments")
def create_shipment():
    """Book a shipment for an order and tell the order service about it."""
    body = request.get_json(force=True)
    shipment = Shipment(
        id=str(uuid.uuid4()),
        order_id=body["order_id"],
        address=body["address"],
        booked_at=datetime.now(UTC),
    )
    with SessionLocal() as db:
        db.add(shipment)
        db.commit()

    try:
        requests.post(
            f"{ORDERS_URL}/orders/{shipment.order_id}/events",
            json={"status": "shipment_booked", "shipment_id": shipment.id},
            timeout=NOTIFY_TIMEOUT,
        )
    except requests.RequestException:
        logger.warning("could not notify orders about shipment %s", shipment.id)

    return jsonify(id=shipment.id, status=shipment.status), 201


@app.delete("/shipments/<shipment_id>")
def cancel_shipment(shipment_id: str):
    """Cancel a booked shipment (the checkout saga's compensation)."""
    with SessionLocal() as db:
        shipment = db.get(Shipment, shipment_id)
        if shipment is None:
            return "", 404
        shipment.status = "cancelled"
        db.commit()
    return "", 204


@app.get("/shipments/<shipment_id>/label")
def shipping_label(shipment_id: str):
    """Render the parcel label; the recipient name comes from the order."""
    with SessionLocal() as db:
        shipment = db.get(Shipment, shipment_id)
        if shipment is None:
            return jsonify(error="not found"), 404
    order = requests.get(f"{ORDERS_URL}/orders/{shipment.order_id}", timeout=None).json()
    return jsonify(shipment_id=shipment.id, customer=order["customer_id"], address=shipment.address)
