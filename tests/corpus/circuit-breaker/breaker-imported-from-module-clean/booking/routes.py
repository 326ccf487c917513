"""Flask routes for booking."""

import os

import requests
from flask import Blueprint, jsonify, request

from booking import breakers
from booking.breakers import payments_breaker

bp = Blueprint("booking", __name__)
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


@payments_breaker
def _charge(user_id: str, amount_cents: int) -> dict:
    resp = requests.post(
        f"{PAYMENTS_URL}/charges", json={"user": user_id, "amount": amount_cents}, timeout=5
    )
    resp.raise_for_status()
    return resp.json()


@bp.post("/bookings")
def create_booking():
    body = request.get_json()
    charge = _charge(body["user_id"], body["amount_cents"])
    with breakers.flights_breaker.calling():
        seat = requests.post(
            f"{FLIGHTS_URL}/reservations", json={"flight_id": body["flight_id"]}, timeout=5
        )
    seat.raise_for_status()
    return jsonify({"charge": charge["id"], "seat": seat.json()["id"]}), 201
