import logging
import os

import requests
from flask import Flask, jsonify

app = Flask(__name__)
logger = logging.getLogger(__name__)

PRICING_URL = os.environ["PRICING_URL"]
STOCK_URL = os.environ["STOCK_URL"]


@app.get("/products/<sku>")
def product_page(sku: str):
    try:
        resp = requests.get(f"{PRICING_URL}/prices/{sku}", timeout=3)  # expect: SP001
        resp.raise_for_status()
        price = resp.json()
    except requests.RequestException as e:
        logger.error("pricing failed for %s: %s", sku, e)
        price = {}

    try:
        stock = requests.get(f"{STOCK_URL}/stock/{sku}", timeout=3).json()  # expect: SP001
    except requests.exceptions.RequestException:
        stock = {"available": 0}

    return jsonify(
        {
            "sku": sku,
            "price_cents": price["amount_cents"],
            "currency": price.get("currency", "EUR"),
            "in_stock": stock["available"] > 0,
        }
    )
