"""Flask booking route that checks status codes by hand."""

import os

import requests
from flask import Blueprint, jsonify, request

bp = Blueprint("trips", __name__)
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
session = requests.Session()


@bp.post("/trips")
def book_trip():
    body = request.get_json()
    charge = session.post(f"{PAYMENTS_URL}/charges", json={"amount": body["amount"]}, timeout=5)
    if charge.status_code != 201:
        return jsonify(error="payment declined"), 402
    charge_id = charge.json()["id"]
    try:
        flight = session.post(  # expect: SP502
            f"{FLIGHTS_URL}/reservations", json={"flight_id": body["flight_id"]}, timeout=5
        )
    except requests.RequestException:
        session.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5)
        return jsonify(error="flights unreachable"), 503
    if not flight.ok:
        return jsonify(error="no seat"), 409
    return jsonify(charge=charge_id, flight=flight.json()["id"]), 201
