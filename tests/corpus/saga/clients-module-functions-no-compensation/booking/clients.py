"""HTTP clients for the services booking talks to."""

import httpx

from booking.config import settings


async def create_payment(booking_id: str, amount: float) -> dict:
    async with httpx.AsyncClient(timeout=settings.http_timeout) as client:
        response = await client.post(
            f"{settings.payments_url}/payments", json={"booking_id": booking_id, "amount": amount}
        )
        response.raise_for_status()
        return response.json()


async def refund_payment(payment_id: str) -> None:
    async with httpx.AsyncClient(timeout=settings.http_timeout) as client:
        response = await client.post(f"{settings.payments_url}/payments/{payment_id}/refund")
        response.raise_for_status()


async def book_flight(booking_id: str, flight_id: str) -> dict:
    async with httpx.AsyncClient(timeout=settings.http_timeout) as client:
        response = await client.post(
            f"{settings.flights_url}/bookings", json={"booking_id": booking_id, "flight_id": flight_id}
        )
        response.raise_for_status()
        return response.json()
