"""Booking orchestration: refunds the payment when the flight cannot be booked."""

import logging

import httpx

from booking.clients import flights_client, payments_client

log = logging.getLogger(__name__)


def book(booking_id: str, flight_id: str, amount: float) -> dict:
    payment_id = payments_client.pay(booking_id, amount)
    try:
        flight_booking = flights_client.book(booking_id, flight_id)
    except httpx.HTTPError:
        log.warning("flight failed for %s, refunding %s", booking_id, payment_id)
        payments_client.refund(payment_id)
        raise
    return {"payment": payment_id, "flight": flight_booking}
