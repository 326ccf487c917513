"""Order placement over aiohttp."""

import os

import aiohttp

INVENTORY_URL = os.environ["INVENTORY_URL"]
PAYMENTS_URL = os.environ["PAYMENTS_URL"]


class PaymentDeclined(Exception):
    pass


async def place_order(session: aiohttp.ClientSession, order: dict) -> dict:
    async with session.post(f"{INVENTORY_URL}/reservations", json={"lines": order["lines"]}) as resp:
        resp.raise_for_status()
        reservation = await resp.json()
    async with session.post(  # expect: SP502
        f"{PAYMENTS_URL}/payments", json={"order_id": order["id"], "amount": order["total"]}
    ) as resp:
        if resp.status >= 400:
            raise PaymentDeclined(await resp.text())
        payment = await resp.json()
    return {"reservation": reservation["id"], "payment": payment["id"]}
