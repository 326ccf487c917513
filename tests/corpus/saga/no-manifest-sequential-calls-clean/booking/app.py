"""No manifest, so no sagas are declared and nothing is a saga step."""

import os

import requests
from fastapi import FastAPI

app = FastAPI()
PAYMENTS_URL = os.getenv("PAYMENTS_URL", "http://payments:8000")
FLIGHTS_URL = os.getenv("FLIGHTS_URL", "http://flights:8000")


@app.post("/trips")
def book(payload: dict) -> dict:
    charge = requests.post(f"{PAYMENTS_URL}/charges", json=payload, timeout=5)
    charge.raise_for_status()
    seat = requests.post(f"{FLIGHTS_URL}/reservations", json=payload, timeout=5)
    seat.raise_for_status()
    return {"charge": charge.json()["id"], "seat": seat.json()["id"]}
