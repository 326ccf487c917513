import logging
import os

import requests
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

logger = logging.getLogger(__name__)
app = FastAPI(title="checkout")

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
INVENTORY_URL = os.getenv("INVENTORY_URL", "http://inventory:8000")


class CheckoutRequest(BaseModel):
    cart_id: str
    customer_id: str
    amount_cents: int


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/checkout")
def checkout(body: CheckoutRequest) -> dict:
    stock = requests.get(f"{INVENTORY_URL}/carts/{body.cart_id}/availability", timeout=5)
    if stock.status_code != 200 or not stock.json().get("available"):
        raise HTTPException(status_code=409, detail="items no longer available")

    charge = requests.post(  # expect: SP101
        f"{PAYMENTS_URL}/charges",
        json={"customer_id": body.customer_id, "amount_cents": body.amount_cents},
    )
    if charge.status_code >= 400:
        logger.warning("charge failed for cart %s: %s", body.cart_id, charge.text)
        raise HTTPException(status_code=402, detail="payment declined")

    requests.post(f"{INVENTORY_URL}/reservations", json={"cart_id": body.cart_id})  # expect: SP101
    return {"status": "confirmed", "charge_id": charge.json()["id"]}
