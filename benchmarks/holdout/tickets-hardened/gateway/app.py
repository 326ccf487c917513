"""Ticketing gateway: the public API, hardened against a slow or failing bookings service."""

import logging
import uuid
from datetime import timedelta
from typing import Annotated

import httpx
import stamina
from aiobreaker import CircuitBreaker
from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from pydantic_settings import BaseSettings
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

log = logging.getLogger("gateway")


class Settings(BaseSettings):
    bookings_url: str


settings = Settings()
HTTPXClientInstrumentor().instrument()
client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=2.0))
bookings_breaker = CircuitBreaker(fail_max=5, timeout_duration=timedelta(seconds=30))

app = FastAPI(title="tickets-gateway")
FastAPIInstrumentor.instrument_app(app)


@stamina.retry(on=httpx.TransportError, attempts=3, timeout=15)
@bookings_breaker
async def submit_booking(payload: dict, idempotency_key: str) -> httpx.Response:
    return await client.post(
        f"{settings.bookings_url}/bookings",
        json=payload,
        headers={"Idempotency-Key": idempotency_key},
    )


@retry(
    stop=stop_after_attempt(4),
    wait=wait_exponential(multiplier=0.2, max=2),
    retry=retry_if_exception_type(httpx.TransportError),
    reraise=True,
)
@bookings_breaker
async def fetch_booking(booking_id: str) -> httpx.Response:
    return await client.get(f"{settings.bookings_url}/bookings/{booking_id}")


@app.post("/bookings")
async def create_booking(
    payload: dict,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    resp = await submit_booking(payload, idempotency_key or str(uuid.uuid4()))
    return JSONResponse(resp.json(), status_code=resp.status_code)


@app.get("/bookings/{booking_id}")
async def get_booking(booking_id: str) -> JSONResponse:
    resp = await fetch_booking(booking_id)
    return JSONResponse(resp.json(), status_code=resp.status_code)
