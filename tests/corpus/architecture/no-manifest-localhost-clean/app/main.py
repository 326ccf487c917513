"""A single service with no stormproof.yaml: architecture rules need a manifest."""

import os
import sqlite3

import requests
from fastapi import FastAPI

app = FastAPI()
db = sqlite3.connect("app.db", check_same_thread=False)
PAYMENTS_URL = "http://localhost:8001"


@app.post("/orders")
def create_order(sku: str) -> dict:
    with db:
        cur = db.execute("INSERT INTO orders (sku) VALUES (?)", (sku,))
    requests.post(f"{PAYMENTS_URL}/charges", json={"order": cur.lastrowid}, timeout=5)
    requests.get("http://payments:8000/health", timeout=1)
    return {"id": cur.lastrowid, "db": os.environ.get("ORDERS_DB", "app.db")}
