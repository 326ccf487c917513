"""Bookings service: the book-tickets saga (hold seats, redeem points, charge the card).

Each step has a breaker, a deadline and an idempotency key derived from the
booking id; a failed step undoes the steps before it.
"""

import logging
import uuid
from typing import Annotated

import httpx
from fastapi import FastAPI, Header, HTTPException
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

log = logging.getLogger("bookings")


class Settings(BaseSettings):
    seats_url: str
    loyalty_url: str
    payments_url: str
    bookings_db_url: str


settings = Settings()
HTTPXClientInstrumentor().instrument()
TIMEOUT = httpx.Timeout(3.0, connect=1.0)
# The seats LB drops idle connections; let the transport re-dial a failed connect.
seats_http = httpx.AsyncClient(timeout=TIMEOUT, transport=httpx.AsyncHTTPTransport(retries=3))
http = httpx.AsyncClient(timeout=TIMEOUT)
breakers = AsyncCircuitBreakerFactory(default_threshold=5, default_ttl=30)
engine = create_async_engine(settings.bookings_db_url)
app = FastAPI(title="bookings")

StepFailed = (httpx.HTTPError, OpenedState)


class BookingIn(BaseModel):
    customer_id: str
    event_id: str
    seat_ids: list[str] = Field(min_length=1)
    points: int = Field(ge=0)
    amount_cents: int = Field(gt=0)
    card_token: str


@app.post("/bookings", status_code=201)
async def book(
    body: BookingIn, idempotency_key: Annotated[str, Header(alias="Idempotency-Key")]
) -> dict:
    booking_id = str(uuid.uuid5(uuid.NAMESPACE_OID, idempotency_key))

    async for attempt in AsyncRetrying(
        stop=stop_after_attempt(3),
        wait=wait_random_exponential(multiplier=0.1, max=2),
        retry=retry_if_exception_type(httpx.TransportError),
        reraise=True,
    ):
        with attempt:
            async with await breakers.get_breaker("seats"):
                hold = await seats_http.post(
                    f"{settings.seats_url}/holds",
                    json={"event_id": body.event_id, "seat_ids": body.seat_ids},
                    headers={"Idempotency-Key": f"{booking_id}:hold"},
                )
    if hold.status_code == 409:
        raise HTTPException(status_code=409, detail="seats no longer available")
    hold.raise_for_status()
    hold_id = hold.json()["id"]

    try:
        async with await breakers.get_breaker("loyalty"):
            redemption = await http.post(
                f"{settings.loyalty_url}/redemptions",
                json={"customer_id": body.customer_id, "points": body.points},
                headers={"Idempotency-Key": f"{booking_id}:redeem"},
            )
        redemption.raise_for_status()
    except StepFailed as exc:
        log.warning("redemption for booking %s failed, releasing hold %s", booking_id, hold_id)
        async with await breakers.get_breaker("seats"):
            await seats_http.delete(
                f"{settings.seats_url}/holds/{hold_id}",
                headers={"Idempotency-Key": f"{booking_id}:release"},
            )
        raise HTTPException(status_code=409, detail="points could not be redeemed") from exc
    redemption_id = redemption.json()["id"]

    try:
        async with await breakers.get_breaker("payments"):
            charge = await http.post(
                f"{settings.payments_url}/charges",
                json={"card_token": body.card_token, "amount_cents": body.amount_cents},
                headers={"Idempotency-Key": f"{booking_id}:charge"},
            )
        charge.raise_for_status()
    except StepFailed as exc:
        log.warning("charge for booking %s failed, reversing points", booking_id)
        async with await breakers.get_breaker("loyalty"):
            await http.post(
                f"{settings.loyalty_url}/redemptions/{redemption_id}/reverse",
                headers={"Idempotency-Key": f"{booking_id}:reverse"},
            )
        raise HTTPException(status_code=402, detail="payment declined") from exc

    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO bookings (id, customer_id, hold_id, redemption_id, charge_id) "
                "VALUES (:id, :customer, :hold, :redemption, :charge) ON CONFLICT (id) DO NOTHING"
            ),
            {
                "id": booking_id,
                "customer": body.customer_id,
                "hold": hold_id,
                "redemption": redemption_id,
                "charge": charge.json()["id"],
            },
        )
    return {"id": booking_id, "status": "confirmed"}


@app.get("/bookings/{booking_id}")
async def get_booking(booking_id: str) -> dict:
    async with engine.connect() as conn:
        row = (
            await conn.execute(text("SELECT * FROM bookings WHERE id = :id"), {"id": booking_id})
        ).first()
    if row is None:
        raise HTTPException(status_code=404, detail="booking not found")
    return dict(row._mapping)
