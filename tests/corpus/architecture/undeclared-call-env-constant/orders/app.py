import os

import httpx
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
SHIPPING_URL = os.environ["SHIPPING_URL"]  # expect: SP802

app = FastAPI()


class Checkout(BaseModel):
    order_id: str
    amount_cents: int
    address: str


@app.post("/checkout")
async def checkout(body: Checkout) -> dict:
    async with httpx.AsyncClient(timeout=5) as client:
        charge = await client.post(
            f"{PAYMENTS_URL}/charges",
            json={"order_id": body.order_id, "amount": body.amount_cents},
            headers={"Idempotency-Key": body.order_id},
        )
        if charge.status_code != 201:
            raise HTTPException(402, "payment failed")
        shipment = await client.post(  # expect: SP802
            f"{SHIPPING_URL}/shipments",
            json={"order_id": body.order_id, "address": body.address},
        )
    return {"charge": charge.json(), "shipment": shipment.json()}
