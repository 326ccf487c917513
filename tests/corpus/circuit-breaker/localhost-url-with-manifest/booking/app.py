"""Booking API written against the services running locally on their dev ports."""

import httpx
from fastapi import FastAPI, HTTPException

app = FastAPI()
PAYMENT_SERVICE = "http://localhost:8001"


@app.post("/bookings")
async def create_booking(payload: dict) -> dict:
    async with httpx.AsyncClient(timeout=5.0) as client:
        resp = await client.post(f"{PAYMENT_SERVICE}/charges", json=payload)  # expect: SP301
        if resp.status_code != 201:
            raise HTTPException(status_code=502, detail="payment failed")
        receipt = await client.get("http://127.0.0.1:8001/receipts/latest")  # expect: SP301
    return {"charge": resp.json(), "receipt": receipt.json()}
