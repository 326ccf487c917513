import os

import requests
from flask import Flask, abort, jsonify, request

app = Flask(__name__)

REVIEWS_URL = os.environ["REVIEWS_URL"]
RECS_URL = os.environ["RECOMMENDATIONS_URL"]
HTTP_TIMEOUT = float(os.environ.get("HTTP_TIMEOUT", "3"))


@app.get("/products/<sku>/reviews")
def reviews(sku: str):
    page = request.args.get("page", "1")
    resp = requests.get(f"{REVIEWS_URL}/reviews", params={"sku": sku, "page": page})  # expect: SP101
    if resp.status_code == 404:
        abort(404)
    return jsonify(resp.json())


@app.post("/products/<sku>/reviews")
def add_review(sku: str):
    payload = request.get_json(force=True)
    resp = requests.post(f"{REVIEWS_URL}/reviews", json={"sku": sku, **payload}, timeout=HTTP_TIMEOUT)
    return jsonify(resp.json()), resp.status_code


@app.get("/products/<sku>/similar")
def similar(sku: str):
    resp = requests.get(f"{RECS_URL}/similar/{sku}", timeout=HTTP_TIMEOUT)
    return jsonify(resp.json()[:8])
