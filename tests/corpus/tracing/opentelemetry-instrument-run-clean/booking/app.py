"""Booking runs under `opentelemetry-instrument`, which instruments httpx on start-up."""

import os

import httpx
from fastapi import FastAPI

app = FastAPI()
payments = httpx.AsyncClient(base_url=os.environ["PAYMENTS_URL"], timeout=5.0)


@app.post("/bookings")
async def book(payload: dict) -> dict:
    resp = await payments.post("/charges", json=payload)
    resp.raise_for_status()
    return {"charge": resp.json()["id"]}
