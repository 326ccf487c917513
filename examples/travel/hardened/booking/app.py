"""Booking service: books a trip by running the durable ``book-trip`` saga (see saga.py).

The saga's log lives in the booking database, written before every step; at start-up the
service resumes every saga a crash cut off, forward or in reverse, before it forgets them.
A trip's booking id comes from the request's ``Idempotency-Key``, so the same request sent
again, by a retrying gateway or after a crash, is the same saga, never a second booking."""

import logging
import os
import threading
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

from booking.saga import BookTrip, StepRefused
from common.service import guard
from common.sqlite import create, read, write
from stormproof.kit import (
    CircuitBreaker,
    Client,
    CompensationRetry,
    DeadlineMiddleware,
    Deduplicator,
    Orchestrator,
    SagaInProgressError,
    SagaLog,
    SagaResult,
)

logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
logger = logging.getLogger("booking")

DB_PATH = os.getenv("BOOKINGS_DB", "bookings.db")
# Booking ids are derived from the caller's idempotency key in this namespace.
BOOKING_IDS = uuid.UUID("6f1d6c7e-3b1a-4c35-9a51-3f7b0f6d2a10")
# Each attempt at a step may take 2 s; a breaker opens for 2 s only, so that the
# compensations it holds back are retried soon after the callee is back.
STEP_TIMEOUT_S = 2.0
BREAKER_OPEN_S = 2.0

refunds = Deduplicator(DB_PATH)


def init_db() -> None:
    create(
        DB_PATH,
        """
            CREATE TABLE IF NOT EXISTS bookings (
                id TEXT PRIMARY KEY,
                customer TEXT NOT NULL,
                flight TEXT NOT NULL,
                hotel TEXT NOT NULL,
                amount REAL NOT NULL,
                status TEXT NOT NULL,
                charge_id TEXT,
                flight_reservation_id TEXT,
                hotel_reservation_id TEXT,
                refund_id TEXT,
                created_at TEXT DEFAULT CURRENT_TIMESTAMP
            )
            """,
    )


def orchestrator() -> Orchestrator:
    book_trip = BookTrip(
        DB_PATH,
        payments=Client.for_service(
            "payments",
            timeout=STEP_TIMEOUT_S,
            breaker=CircuitBreaker("payments", open_for=BREAKER_OPEN_S),
        ),
        flights=Client.for_service(
            "flights",
            timeout=STEP_TIMEOUT_S,
            breaker=CircuitBreaker("flights", open_for=BREAKER_OPEN_S),
        ),
        hotels=Client.for_service(
            "hotels",
            timeout=STEP_TIMEOUT_S,
            breaker=CircuitBreaker("hotels", open_for=BREAKER_OPEN_S),
        ),
    )
    # One coordinator process, under a stable owner: a restarted one takes over its
    # predecessor's sagas at once instead of waiting for their leases to lapse.
    return Orchestrator(
        SagaLog(DB_PATH),
        {"book-trip": book_trip.saga()},
        owner="booking",
        compensation_retry=CompensationRetry(maximum=2.0),
    )


def recover(sagas: Orchestrator) -> None:
    """Finish what a crash cut off, in the background: a saga compensating while a callee is
    down may take a while, and the service must answer meanwhile (a retry of such a trip is
    told to come back later)."""
    for result in sagas.recover():
        logger.info("recovered saga %s: %s", result.saga_id, result.status)


@asynccontextmanager
async def lifespan(app: FastAPI):
    init_db()
    app.state.sagas = orchestrator()
    threading.Thread(target=recover, args=(app.state.sagas,), daemon=True).start()
    yield


app = FastAPI(title="Booking Service", lifespan=lifespan)
guard(app, DB_PATH)
app.add_middleware(DeadlineMiddleware)


class BookingRequest(BaseModel):
    customer: str
    flight: str
    hotel: str
    amount: float


class RefundNotice(BaseModel):
    refund_id: str
    amount: float


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/bookings")
def create_booking(req: BookingRequest, request: Request):
    """Book a trip: charge the customer, then reserve the flight and the hotel; or, when a
    step fails, undo the steps before it and refuse the trip."""
    booking_id = str(uuid.uuid5(BOOKING_IDS, request.headers["Idempotency-Key"]))
    try:
        result = request.app.state.sagas.start("book-trip", booking_id, req.model_dump())
    except SagaInProgressError:
        # Being run already (by the recovery after a restart): not an answer to store.
        raise HTTPException(
            status_code=503, detail="this trip is being booked", headers={"Retry-After": "1"}
        ) from None
    return outcome(result)


def outcome(result: SagaResult) -> dict:
    if result.status == "completed":
        return {
            "id": result.saga_id,
            "status": "confirmed",
            "charge_id": result.results["charge"]["id"],
            "flight_reservation_id": result.results["flight"]["id"],
            "hotel_reservation_id": result.results["hotel"]["id"],
        }
    refused = result.error or ""
    status = 402 if refused.startswith(f"{StepRefused.__name__}: 402") else 409
    raise HTTPException(
        status_code=status,
        detail=f"trip {result.saga_id} not booked ({result.failed_step}: {refused}); "
        "every step taken was undone",
    )


@app.get("/bookings/{booking_id}")
def get_booking(booking_id: str):
    row = read(DB_PATH, "SELECT * FROM bookings WHERE id = ?", (booking_id,))
    if row is None:
        raise HTTPException(status_code=404, detail="Booking not found")
    return dict(row)


@app.post("/bookings/{booking_id}/refunded")
def mark_refunded(booking_id: str, notice: RefundNotice, request: Request):
    """Payments' outbox tells us a booking's charge was refunded (at least once: the
    deduplicator drops the copies, in the transaction that records the refund)."""
    with write(DB_PATH) as conn:
        if refunds.first_time(conn, request.headers["Idempotency-Key"]):
            conn.execute(
                "UPDATE bookings SET refund_id = ? WHERE id = ?", (notice.refund_id, booking_id)
            )
    return {"id": booking_id, "refund_id": notice.refund_id}
