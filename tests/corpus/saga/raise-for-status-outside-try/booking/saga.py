"""The transport error path refunds; the HTTP error path (raise_for_status) does not."""

import os

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


async def book_flight(client: httpx.AsyncClient, user_id: str, flight_id: str, amount: int) -> dict:
    charge = await client.post(f"{PAYMENTS_URL}/charges", json={"user_id": user_id, "amount": amount})
    charge.raise_for_status()
    charge_id = charge.json()["id"]
    try:
        reservation = await client.post(  # expect: SP502
            f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id, "user_id": user_id}
        )
    except httpx.TransportError:
        await client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id})
        raise
    reservation.raise_for_status()
    return {"charge": charge_id, "reservation": reservation.json()["id"]}
