import os

import httpx
from fastapi import FastAPI

app = FastAPI()
client = httpx.Client(base_url=os.environ["ORDERS_URL"], timeout=5)


@app.get("/orders/{order_id}/status")
def status(order_id: str) -> dict:
    return client.get(f"/orders/{order_id}/status").json()
