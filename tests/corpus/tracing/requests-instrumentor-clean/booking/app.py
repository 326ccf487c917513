"""Flask booking API with requests instrumentation."""

import os

import requests
from flask import Flask, jsonify, request
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.requests import RequestsInstrumentor

app = Flask(__name__)
FlaskInstrumentor().instrument_app(app)
RequestsInstrumentor().instrument()

session = requests.Session()
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


@app.post("/bookings")
def book():
    body = request.get_json()
    charge = session.post(f"{PAYMENTS_URL}/charges", json=body, timeout=5)
    charge.raise_for_status()
    seat = requests.post(f"{FLIGHTS_URL}/reservations", json=body, timeout=5)
    seat.raise_for_status()
    return jsonify(charge=charge.json()["id"], seat=seat.json()["id"]), 201
