"""API gateway: the public entry point for booking trips.

A trip request's ``Idempotency-Key`` is the client's request id, carried end to end: the
gateway passes it to booking (and mints one for a client that sent none, returned in the
answer's header so that the client can retry with it), booking derives the booking id from
it, and every step of the booking saga derives its own key from that."""

import uuid
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, HTTPException, Request, Response
from pydantic import BaseModel

from stormproof.kit import (
    AsyncClient,
    CircuitBreaker,
    DeadlineExceededError,
    RejectedError,
    deadline,
)

# The most a trip may take end to end (about what a client waits): booking gets what is left.
TRIP_DEADLINE_S = 5.0


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.booking = AsyncClient.for_service(
        "booking", breaker=CircuitBreaker("booking", open_for=2.0)
    )
    yield
    await app.state.booking.aclose()


app = FastAPI(title="Travel Gateway", lifespan=lifespan)


class TripRequest(BaseModel):
    customer: str
    flight: str
    hotel: str
    amount: float


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/trips")
async def create_trip(trip: TripRequest, request: Request, response: Response):
    """Book a trip (payment, flight and hotel) through the booking service."""
    key = request.headers.get("Idempotency-Key") or str(uuid.uuid4())
    response.headers["Idempotency-Key"] = key
    async with deadline.deadline(TRIP_DEADLINE_S):
        answer = await call_booking(
            request, "POST", "/bookings", json=trip.model_dump(), headers={"Idempotency-Key": key}
        )
    if answer.status_code != 200:
        raise HTTPException(
            status_code=answer.status_code,
            detail=answer.json().get("detail"),
            headers={"Idempotency-Key": key},
        )
    return answer.json()


@app.get("/trips/{trip_id}")
async def get_trip(trip_id: str, request: Request):
    """Look up a trip's booking status (booking owns it: asked, never read from its database)."""
    answer = await call_booking(request, "GET", f"/bookings/{trip_id}")
    if answer.status_code != 200:
        raise HTTPException(status_code=answer.status_code, detail=answer.json().get("detail"))
    return answer.json()


async def call_booking(request: Request, method: str, url: str, **options) -> httpx.Response:
    """Booking's answer; 503 when the kit refused the call before sending it (breaker open),
    504 when booking did not answer in time or at all: the trip may or may not be booked,
    and a retry with the same Idempotency-Key will say which."""
    try:
        return await request.app.state.booking.request(method, url, **options)
    except RejectedError as refused:
        raise HTTPException(status_code=503, detail=str(refused)) from refused
    except (httpx.TransportError, DeadlineExceededError) as error:
        raise HTTPException(
            status_code=504, detail=f"booking did not answer: {type(error).__name__}"
        ) from error
