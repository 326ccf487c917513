"""One try around the whole saga; the handler undoes whatever was done, in reverse."""

import os

import httpx

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]
HOTELS_URL = os.environ["HOTELS_URL"]


async def book_trip(client: httpx.AsyncClient, trip: dict) -> dict:
    charge_id = flight_id = None
    try:
        charge = await client.post(f"{PAYMENTS_URL}/charges", json={"amount": trip["amount"]})
        charge.raise_for_status()
        charge_id = charge.json()["id"]
        flight = await client.post(f"{FLIGHTS_URL}/reservations", json={"flight": trip["flight"]})
        flight.raise_for_status()
        flight_id = flight.json()["id"]
        hotel = await client.post(f"{HOTELS_URL}/reservations", json={"hotel": trip["hotel"]})
        hotel.raise_for_status()
        return {"charge": charge_id, "flight": flight_id, "hotel": hotel.json()["id"]}
    except Exception:
        if flight_id is not None:
            await client.delete(f"{FLIGHTS_URL}/reservations/{flight_id}")
        if charge_id is not None:
            await client.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id})
        raise
