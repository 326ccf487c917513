"""aiohttp coordinator checking `resp.status` and compensating on every failure."""

import os

import aiohttp

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
FLIGHTS_URL = os.environ["FLIGHTS_URL"]


async def _refund(session: aiohttp.ClientSession, charge_id: str) -> None:
    async with session.post(f"{PAYMENTS_URL}/refunds", json={"charge_id": charge_id}) as resp:
        resp.raise_for_status()


async def book(session: aiohttp.ClientSession, trip: dict) -> dict:
    async with session.post(f"{PAYMENTS_URL}/charges", json={"amount": trip["amount"]}) as resp:
        if resp.status != 201:
            raise RuntimeError("payment declined")
        charge_id = (await resp.json())["id"]
    try:
        async with session.post(f"{FLIGHTS_URL}/reservations", json={"flight": trip["flight"]}) as resp:
            if resp.status >= 400:
                await _refund(session, charge_id)
                return {"status": "failed", "reason": await resp.text()}
            seat = await resp.json()
    except aiohttp.ClientError:
        await _refund(session, charge_id)
        raise
    return {"status": "booked", "charge": charge_id, "seat": seat["id"]}
