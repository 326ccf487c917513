"""Gateway: instrumented, so its httpx calls carry traceparent."""

import os

import httpx
from fastapi import FastAPI
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

HTTPXClientInstrumentor().instrument()
app = FastAPI()


@app.post("/api/bookings")
async def create(payload: dict) -> dict:
    async with httpx.AsyncClient(timeout=5.0) as client:
        resp = await client.post(f"{os.environ['BOOKING_URL']}/bookings", json=payload)
    resp.raise_for_status()
    return resp.json()
