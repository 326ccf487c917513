import logging
import os

import httpx
from fastapi import FastAPI

log = logging.getLogger(__name__)
app = FastAPI()

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
INVENTORY_URL = os.environ["INVENTORY_URL"]
client = httpx.AsyncClient(timeout=5.0)


@app.post("/carts/{cart_id}/checkout")
async def checkout(cart_id: str, amount_cents: int) -> dict:
    try:
        resp = await client.post(f"{PAYMENTS_URL}/charges", json={"cart": cart_id, "amount": amount_cents})  # expect: SP001
        resp.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("charge for cart %s failed: %s", cart_id, exc)

    try:
        await client.post(f"{INVENTORY_URL}/carts/{cart_id}/commit")  # expect: SP001
    except httpx.HTTPError:
        log.exception("inventory commit failed")

    return {"cart_id": cart_id, "status": "paid"}
