import os

import requests
from flask import Blueprint, jsonify, request

bp = Blueprint("orders", __name__)
ORDERS_URL = os.environ["ORDERS_URL"]


@bp.post("/orders")
def create():
    try:
        resp = requests.post(f"{ORDERS_URL}/orders", json=request.get_json(), timeout=5)
        resp.raise_for_status()
    except requests.RequestException as exc:
        return jsonify(error="orders unavailable", detail=str(exc)), 502
    return jsonify(resp.json()), 201


@bp.get("/orders/<order_id>/status")
def status(order_id: str):
    try:
        data = requests.get(f"{ORDERS_URL}/orders/{order_id}", timeout=5).json()
    except Exception:
        return jsonify(status="unknown"), 503
    return jsonify(status=data["status"])
