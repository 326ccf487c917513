"""Booking service: books a trip by charging the customer, then reserving a flight and a hotel."""

import logging
import os
import sqlite3
import time
import uuid
from contextlib import asynccontextmanager

import requests
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

logger = logging.getLogger("booking")

DB_PATH = os.getenv("BOOKINGS_DB", "bookings.db")
PAYMENTS_URL = os.getenv("PAYMENTS_URL", "http://localhost:8002")
FLIGHTS_URL = os.getenv("FLIGHTS_URL", "http://localhost:8003")
HOTELS_URL = os.getenv("HOTELS_URL", "http://localhost:8004")


def get_db() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    return conn


def init_db() -> None:
    conn = get_db()
    conn.execute(
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
        """
    )
    conn.commit()
    conn.close()


@asynccontextmanager
async def lifespan(app: FastAPI):
    init_db()
    yield


app = FastAPI(title="Booking Service", lifespan=lifespan)


class BookingRequest(BaseModel):
    customer: str
    flight: str
    hotel: str
    amount: float


class RefundNotice(BaseModel):
    refund_id: str
    amount: float


def save_booking(
    booking_id: str,
    req: BookingRequest,
    status: str,
    charge_id: str | None,
    flight_reservation_id: str | None,
    hotel_reservation_id: str | None,
) -> None:
    conn = get_db()
    conn.execute(
        """
        INSERT INTO bookings (id, customer, flight, hotel, amount, status,
                              charge_id, flight_reservation_id, hotel_reservation_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            booking_id,
            req.customer,
            req.flight,
            req.hotel,
            req.amount,
            status,
            charge_id,
            flight_reservation_id,
            hotel_reservation_id,
        ),
    )
    conn.commit()
    conn.close()


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/bookings")
def create_booking(req: BookingRequest):
    """Book a trip: charge the customer, then reserve the flight and the hotel."""
    booking_id = str(uuid.uuid4())

    # Payments can be briefly unavailable during deploys, so keep trying until it answers
    while True:
        try:
            charge_resp = requests.post(
                f"{PAYMENTS_URL}/charges",
                json={"customer": req.customer, "amount": req.amount, "booking_id": booking_id},
            )
            break
        except requests.exceptions.ConnectionError:
            logger.warning("Payments service unavailable, retrying...")
            time.sleep(1)
    if charge_resp.status_code != 200:
        raise HTTPException(
            status_code=charge_resp.status_code, detail=charge_resp.json()["detail"]
        )
    charge = charge_resp.json()

    flight_resp = requests.post(
        f"{FLIGHTS_URL}/reservations", json={"flight": req.flight, "booking_id": booking_id}
    )
    if flight_resp.status_code != 200:
        raise HTTPException(
            status_code=flight_resp.status_code, detail=flight_resp.json()["detail"]
        )
    flight = flight_resp.json()

    hotel_resp = requests.post(
        f"{HOTELS_URL}/reservations", json={"hotel": req.hotel, "booking_id": booking_id}
    )
    if hotel_resp.status_code != 200:
        # Refund the customer so they are not charged for a trip they did not get
        try:
            refund_resp = requests.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge["id"]})
            logger.info("Refunded charge %s: %s", charge["id"], refund_resp.status_code)
        except Exception:
            pass
        save_booking(booking_id, req, "failed", charge["id"], flight["id"], None)
        raise HTTPException(status_code=409, detail=hotel_resp.json()["detail"])
    hotel = hotel_resp.json()

    save_booking(booking_id, req, "confirmed", charge["id"], flight["id"], hotel["id"])
    return {
        "id": booking_id,
        "status": "confirmed",
        "charge_id": charge["id"],
        "flight_reservation_id": flight["id"],
        "hotel_reservation_id": hotel["id"],
    }


@app.get("/bookings/{booking_id}")
def get_booking(booking_id: str):
    conn = get_db()
    row = conn.execute("SELECT * FROM bookings WHERE id = ?", (booking_id,)).fetchone()
    conn.close()
    if row is None:
        raise HTTPException(status_code=404, detail="Booking not found")
    return dict(row)


@app.post("/bookings/{booking_id}/refunded")
def mark_refunded(booking_id: str, notice: RefundNotice):
    """Called by the payments service after it refunded a booking's charge."""
    conn = get_db()
    conn.execute(
        "UPDATE bookings SET status = 'refunded', refund_id = ? WHERE id = ?",
        (notice.refund_id, booking_id),
    )
    conn.commit()
    conn.close()
    return {"id": booking_id, "status": "refunded"}
