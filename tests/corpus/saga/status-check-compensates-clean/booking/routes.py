"""Status codes checked by hand, with compensation on every failure branch."""

import os

import requests
from flask import Blueprint, jsonify, request

bp = Blueprint("trips", __name__)
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
session = requests.Session()


def _refund(charge_id: str) -> None:
    session.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}, timeout=5)


@bp.post("/trips")
def book_trip():
    body = request.get_json()
    charge = session.post(f"{PAYMENTS_URL}/charges", json={"amount": body["amount"]}, timeout=5)
    if charge.status_code != 201:
        return jsonify(error="payment declined"), 402
    charge_id = charge.json()["id"]
    try:
        flight = session.post(f"{FLIGHTS_URL}/reservations", json={"flight_id": body["flight_id"]}, timeout=5)
    except requests.RequestException:
        _refund(charge_id)
        return jsonify(error="flights unreachable"), 503
    if flight.status_code >= 400:
        _refund(charge_id)
        return jsonify(error="no seat"), 409
    return jsonify(charge=charge_id, flight=flight.json()["id"]), 201
