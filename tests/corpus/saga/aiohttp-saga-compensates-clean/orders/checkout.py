"""Order placement over aiohttp, compensating in reverse on failure."""

import os

import aiohttp

INVENTORY_URL = os.environ["INVENTORY_URL"]
PAYMENTS_URL = os.environ["PAYMENTS_URL"]
SHIPPING_URL = os.environ["SHIPPING_URL"]


async def _release(session: aiohttp.ClientSession, reservation_id: str) -> None:
    async with session.delete(f"{INVENTORY_URL}/reservations/{reservation_id}") as resp:
        resp.raise_for_status()


async def place_order(session: aiohttp.ClientSession, order: dict) -> dict:
    async with session.post(f"{INVENTORY_URL}/reservations", json={"lines": order["lines"]}) as resp:
        resp.raise_for_status()
        reservation = await resp.json()
    try:
        async with session.post(f"{PAYMENTS_URL}/payments", json={"amount": order["total"]}) as resp:
            resp.raise_for_status()
            payment = await resp.json()
    except aiohttp.ClientError:
        await _release(session, reservation["id"])
        raise
    try:
        async with session.post(f"{SHIPPING_URL}/shipments", json={"order_id": order["id"]}) as resp:
            resp.raise_for_status()
            shipment = await resp.json()
    except aiohttp.ClientError:
        async with session.post(f"{PAYMENTS_URL}/payments/{payment['id']}/refund") as refund:
            refund.raise_for_status()
        await _release(session, reservation["id"])
        raise
    return {"reservation": reservation["id"], "payment": payment["id"], "shipment": shipment["id"]}
