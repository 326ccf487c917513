"""Order service: takes orders and runs the checkout saga (payment, then shipment)."""

import logging
import uuid

import requests
from flask import Flask, abort, jsonify, request
from pydantic import BaseModel, Field, ValidationError

from orders.clients import PaymentsClient, PaymentsUnavailableError, ShippingClient
from orders.models import Order, SessionLocal

logger = logging.getLogger("orders")

app = Flask(__name__)
payments = PaymentsClient()
shipping = ShippingClient()


class LineItem(BaseModel):
    sku: str
    quantity: int = Field(gt=0)
    unit_price_cents: int = Field(ge=0)


class CheckoutRequest(BaseModel):
    customer_id: str
    shipping_address: str
    items: list[LineItem]


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.post("/orders")
def create_order():
    """Create an order, charge it, and book its shipment; undo the charge if shipping fails."""
    try:
        checkout = CheckoutRequest.model_validate(request.get_json(force=True))
    except ValidationError as exc:
        return jsonify(error=exc.errors()), 422

    order = Order(
        id=str(uuid.uuid4()),
        customer_id=checkout.customer_id,
        total_cents=sum(i.quantity * i.unit_price_cents for i in checkout.items),
        shipping_address=checkout.shipping_address,
    )
    with SessionLocal() as db:
        db.add(order)
        db.commit()

        try:
            payment = payments.charge(order.id, order.customer_id, order.total_cents)
        except requests.HTTPError as exc:
            order.status = "payment_declined"
            db.commit()
            return jsonify(error="payment declined", detail=str(exc)), 402
        order.payment_id = payment["id"]

        try:
            shipment = shipping.create_shipment(order.id, order.shipping_address)
        except requests.RequestException:
            logger.exception("shipment for order %s failed, refunding", order.id)
            payments.refund(payment["id"])
            order.status = "cancelled"
            db.commit()
            return jsonify(error="could not arrange shipping"), 503

        order.shipment_id = shipment["id"]
        order.status = "confirmed"
        db.commit()
        return jsonify(order.to_dict()), 201


@app.get("/orders/<order_id>")
def get_order(order_id: str):
    with SessionLocal() as db:
        order = db.get(Order, order_id)
        if order is None:
            abort(404)
        body = order.to_dict()
    if body["payment_id"]:
        try:
            body["payment_status"] = payments.status(body["payment_id"])
        except PaymentsUnavailableError:
            body["payment_status"] = "unknown"
    return jsonify(body)


@app.post("/orders/<order_id>/events")
def record_event(order_id: str):
    """Shipping reports progress here (label printed, handed to carrier, delivered)."""
    event = request.get_json(force=True)
    with SessionLocal() as db:
        order = db.get(Order, order_id)
        if order is None:
            abort(404)
        order.status = event["status"]
        db.commit()
    return "", 204
