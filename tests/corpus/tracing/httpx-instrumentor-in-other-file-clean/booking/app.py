"""Booking API."""

import os

import httpx
from fastapi import FastAPI

from booking.observability import configure_tracing


def create_app() -> FastAPI:
    configure_tracing()
    app = FastAPI()
    client = httpx.AsyncClient(timeout=5.0)

    @app.post("/bookings")
    async def book(payload: dict) -> dict:
        charge = await client.post(f"{os.environ['PAYMENTS_URL']}/charges", json=payload)
        charge.raise_for_status()
        seat = await client.post(f"{os.environ['FLIGHTS_URL']}/reservations", json=payload)
        seat.raise_for_status()
        return {"charge": charge.json()["id"], "seat": seat.json()["id"]}

    return app


app = create_app()
