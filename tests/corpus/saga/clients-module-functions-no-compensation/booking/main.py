"""Booking API: orchestrates payment and flight through the clients module."""

import logging
import uuid

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from booking import clients

logger = logging.getLogger(__name__)
app = FastAPI(title="Booking Service")


class BookingRequest(BaseModel):
    flight_id: str
    amount: float


@app.post("/bookings", status_code=201)
async def create_booking(req: BookingRequest) -> dict:
    booking_id = str(uuid.uuid4())
    payment = await clients.create_payment(booking_id, req.amount)
    try:
        flight = await clients.book_flight(booking_id, req.flight_id)  # expect: SP502
    except Exception as exc:
        logger.error("flight booking failed: %s", exc)
        raise HTTPException(status_code=502, detail="flight booking failed") from exc
    return {"booking_id": booking_id, "payment": payment, "flight": flight}
