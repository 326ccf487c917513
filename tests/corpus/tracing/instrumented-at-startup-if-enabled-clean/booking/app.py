"""Booking API; instrumentation is switched on at start-up when enabled."""

from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from booking.settings import settings


@asynccontextmanager
async def lifespan(app: FastAPI):
    if settings.otel_enabled:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor().instrument()
    app.state.http = httpx.AsyncClient(timeout=5.0)
    yield
    await app.state.http.aclose()


app = FastAPI(lifespan=lifespan)


async def charge(client: httpx.AsyncClient, payload: dict) -> str:
    resp = await client.post(f"{settings.payments_url}/charges", json=payload)
    resp.raise_for_status()
    return resp.json()["id"]


async def reserve(client: httpx.AsyncClient, payload: dict) -> str:
    resp = await client.post(f"{settings.flights_url}/reservations", json=payload)
    resp.raise_for_status()
    return resp.json()["id"]
