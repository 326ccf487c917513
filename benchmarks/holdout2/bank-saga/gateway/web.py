"""Customer web API: starts transfers and reports on them."""

import json
import os
import urllib.request
import uuid

import requests
from flask import Flask, abort, jsonify, request
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

TRANSFERS_API = os.environ["TRANSFERS_API"]

app = Flask(__name__)


@retry(
    stop=stop_after_attempt(3),
    wait=wait_random_exponential(multiplier=0.3, max=3),
    retry=retry_if_exception_type(requests.ConnectionError),
    reraise=True,
)
def submit_transfer(payload: dict, key: str) -> requests.Response:
    return requests.post(
        f"{TRANSFERS_API}/transfers",
        json=payload,
        headers={"Idempotency-Key": key},
        timeout=8,
    )


@app.post("/transfers")
def start_transfer():
    payload = request.get_json(force=True)
    key = request.headers.get("Idempotency-Key") or str(uuid.uuid4())
    resp = submit_transfer(payload, key)
    return jsonify(resp.json()), resp.status_code


@app.get("/transfers/<int:transfer_id>")
def transfer_status(transfer_id: int):
    resp = requests.get(f"{TRANSFERS_API}/transfers/{transfer_id}", timeout=5)
    if resp.status_code == 404:
        abort(404)
    return jsonify(resp.json())


@app.get("/health/deep")
def deep_health():
    with urllib.request.urlopen(f"{TRANSFERS_API}/health") as upstream:
        body = json.load(upstream)
    return jsonify({"gateway": "ok", "transfers": body.get("status", "unknown")})
