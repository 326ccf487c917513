"""The coordinator drives the saga one request at a time; each endpoint makes one step call."""

import os

import httpx
from fastapi import FastAPI

app = FastAPI()
client = httpx.AsyncClient(timeout=5.0)
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


@app.post("/trips/{trip_id}/charge")
async def charge(trip_id: str, payload: dict) -> dict:
    resp = await client.post(f"{PAYMENTS_URL}/charges", json={"trip": trip_id, **payload})
    resp.raise_for_status()
    return resp.json()


@app.post("/trips/{trip_id}/seat")
async def seat(trip_id: str, payload: dict) -> dict:
    resp = await client.post(f"{FLIGHTS_URL}/reservations", json={"trip": trip_id, **payload})
    resp.raise_for_status()
    return resp.json()


@app.post("/trips/{trip_id}/refund")
async def refund(trip_id: str, charge_id: str) -> dict:
    resp = await client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id})
    resp.raise_for_status()
    return resp.json()
