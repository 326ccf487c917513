"""Storefront: the public JSON API that browsers and the mobile app talk to.

It owns no business data: carts sit in Redis until checkout, everything else
is forwarded to the order service.
"""

import json
import logging
import os

import redis
import requests
from flask import Flask, jsonify, request

logging.basicConfig(level=os.getenv("LOG_LEVEL", "INFO"))
logger = logging.getLogger("storefront")

ORDERS_URL = os.environ["ORDERS_URL"]
# (connect, read) in seconds: checkout waits on payment and shipping behind orders.
REQUEST_TIMEOUT = (3.05, 15)

app = Flask(__name__)
# Carts are per-browser scratch data, so the storefront keeps them itself.
carts = redis.Redis.from_url(os.environ["CARTS_REDIS_URL"], decode_responses=True)

http = requests.Session()
http.headers.update({"User-Agent": "storefront/1.4"})
http.timeout = 10  # seconds, applies to the order status lookups


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.post("/checkout")
def checkout():
    """Place an order for the items in the caller's cart."""
    cart = request.get_json(force=True)
    cart["items"] = cart.get("items") or json.loads(carts.get(f"cart:{cart['cart_id']}") or "[]")
    if not cart["items"]:
        return jsonify(error="cart is empty"), 400

    resp = http.post(f"{ORDERS_URL}/orders", json=cart, timeout=REQUEST_TIMEOUT)
    if resp.status_code == 201:
        carts.delete(f"cart:{cart['cart_id']}")
    if resp.status_code >= 500:
        logger.error("orders failed for customer %s: %s", cart.get("customer_id"), resp.text)
        return jsonify(error="checkout is temporarily unavailable"), 503
    return jsonify(resp.json()), resp.status_code


@app.get("/orders/<order_id>")
def order_status(order_id: str):
    """Show an order's status, payment and tracking number."""
    resp = http.get(f"{ORDERS_URL}/orders/{order_id}")
    if resp.status_code == 404:
        return jsonify(error="order not found"), 404
    resp.raise_for_status()
    return jsonify(resp.json())
