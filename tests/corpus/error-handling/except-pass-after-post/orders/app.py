import os
import uuid

import requests
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()

LOYALTY_URL = os.environ["LOYALTY_URL"]
EMAIL_URL = os.environ["EMAIL_URL"]
orders: dict[str, dict] = {}


class OrderIn(BaseModel):
    customer_id: str
    total_cents: int


@app.post("/orders", status_code=201)
def create_order(order: OrderIn) -> dict:
    order_id = str(uuid.uuid4())
    orders[order_id] = {"id": order_id, **order.model_dump(), "status": "created"}
    try:
        requests.post(  # expect: SP001
            f"{LOYALTY_URL}/points",
            json={"customer_id": order.customer_id, "points": order.total_cents // 100},
            timeout=5,
        )
    except Exception:
        pass
    try:
        requests.post(f"{EMAIL_URL}/send", json={"template": "order-created", "order": order_id}, timeout=5)  # expect: SP001
    except:
        pass
    return orders[order_id]
