"""Reads between the steps do not change what needs undoing."""

import os

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


async def book(client: httpx.AsyncClient, trip: dict) -> dict:
    charge = await client.post(f"{PAYMENTS_URL}/charges", json=trip)
    charge.raise_for_status()
    charge_id = charge.json()["id"]
    status = await client.get(f"{PAYMENTS_URL}/charges/{charge_id}")
    seats = await client.get(f"{FLIGHTS_URL}/flights/{trip['flight']}/seats")
    if status.json()["state"] != "captured" or seats.json()["left"] == 0:
        await client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id})
        return {"status": "unavailable"}
    try:
        seat = await client.post(f"{FLIGHTS_URL}/reservations", json=trip)
        seat.raise_for_status()
    except httpx.HTTPError:
        await client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id})
        raise
    return {"charge": charge_id, "seat": seat.json()["id"]}
