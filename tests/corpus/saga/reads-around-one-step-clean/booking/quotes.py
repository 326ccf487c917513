"""Reads from every step service, but only one unsafe call: not a multi-step sequence."""

import os

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


async def hold_flight_if_affordable(client: httpx.AsyncClient, user_id: str, flight_id: str, hotel_id: str) -> dict:
    limit = await client.get(f"{PAYMENTS_URL}/users/{user_id}/limit")
    fare = await client.get(f"{FLIGHTS_URL}/flights/{flight_id}/fare")
    room = await client.get(f"{HOTELS_URL}/hotels/{hotel_id}/rate")
    total = fare.json()["cents"] + room.json()["cents"]
    if total > limit.json()["cents"]:
        return {"held": False, "total": total}
    hold = await client.post(f"{FLIGHTS_URL}/reservations", json={"flight_id": flight_id, "hold": True})
    hold.raise_for_status()
    return {"held": True, "reservation": hold.json()["id"], "total": total}
