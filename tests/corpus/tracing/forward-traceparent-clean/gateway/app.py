"""Gateway behind a tracing proxy: it forwards the incoming trace headers as they are."""

import os

import requests
from flask import Flask, jsonify, request

app = Flask(__name__)
BOOKING_URL = os.environ["BOOKING_URL"]
TRACE_HEADERS = ("traceparent", "tracestate")


@app.post("/api/bookings")
def create_booking():
    headers = {"traceparent": request.headers.get("traceparent", "")}
    resp = requests.post(f"{BOOKING_URL}/bookings", json=request.get_json(), headers=headers, timeout=5)
    return jsonify(resp.json()), resp.status_code


@app.get("/api/bookings/<booking_id>")
def get_booking(booking_id: str):
    forwarded = {k: v for k, v in request.headers.items() if k.lower() in TRACE_HEADERS}
    resp = requests.get(f"{BOOKING_URL}/bookings/{booking_id}", headers=forwarded, timeout=5)
    return jsonify(resp.json()), resp.status_code
