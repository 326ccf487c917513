import os

import httpx
from fastapi import FastAPI

from common.schemas import OrderOut

app = FastAPI()
ORDERS_URL = os.environ["ORDERS_URL"]


@app.get("/orders/{order_id}")
def get_order(order_id: str) -> OrderOut:
    resp = httpx.get(f"{ORDERS_URL}/orders/{order_id}", timeout=5)
    resp.raise_for_status()
    return OrderOut.model_validate(resp.json())
