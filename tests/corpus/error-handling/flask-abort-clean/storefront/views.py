import os

import requests
from flask import Flask, abort, jsonify

app = Flask(__name__)
CART_URL = os.environ["CART_URL"]


@app.get("/cart/<cart_id>")
def show_cart(cart_id: str):
    try:
        resp = requests.get(f"{CART_URL}/carts/{cart_id}", timeout=3)
        resp.raise_for_status()
    except requests.RequestException:
        app.logger.exception("cart service failed")
        abort(503)
    return jsonify(resp.json())
