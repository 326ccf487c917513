"""Smoke tests against a locally running stack (docker compose up)."""

import requests

BASE = "http://localhost:8000"


def test_health():
    assert requests.get(f"{BASE}/health", timeout=2).status_code == 200


def test_create_order():
    resp = requests.post(f"{BASE}/orders", params={"amount": 100}, timeout=5)
    assert resp.status_code == 200


def test_payments_up():
    assert requests.get("http://payments:8001/health", timeout=2).ok
