"""Public gateway: forwards bookings to the booking service."""

import os
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, HTTPException, Request

BOOKING_URL = os.environ["BOOKING_URL"]


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.client = httpx.AsyncClient(base_url=BOOKING_URL, timeout=5.0)
    yield
    await app.state.client.aclose()


app = FastAPI(lifespan=lifespan)


@app.post("/api/bookings")
async def create_booking(request: Request) -> dict:
    payload = await request.json()
    resp = await request.app.state.client.post("/bookings", json=payload)  # expect: SP601
    if resp.status_code >= 400:
        raise HTTPException(status_code=resp.status_code, detail=resp.text)
    return resp.json()


@app.get("/api/bookings/{booking_id}")
async def get_booking(booking_id: str) -> dict:
    async with httpx.AsyncClient(timeout=3.0) as client:
        resp = await client.get(f"{BOOKING_URL}/bookings/{booking_id}")  # expect: SP601
    resp.raise_for_status()
    return resp.json()
