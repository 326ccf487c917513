"""Async trip booking; failures are logged and surfaced, but nothing is undone."""

import logging
import os

import httpx
from fastapi import HTTPException

log = logging.getLogger("booking")
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


async def book_trip(client: httpx.AsyncClient, user_id: str, flight_id: str, hotel_id: str, amount: int) -> dict:
    try:
        charge = await client.post(f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount": amount})
        charge.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("charge failed: %s", exc)
        raise HTTPException(status_code=402, detail="payment failed") from exc

    try:
        flight = await client.post(f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id})  # expect: SP502
        flight.raise_for_status()
        hotel = await client.post(f"{HOTELS_URL}/reservations", json={"hotel_id": hotel_id})
        hotel.raise_for_status()
    except httpx.HTTPError as exc:
        log.exception("trip booking failed for %s", user_id)
        raise HTTPException(status_code=502, detail="could not complete the trip") from exc

    return {"charge": charge.json()["id"], "flight": flight.json()["id"], "hotel": hotel.json()["id"]}
