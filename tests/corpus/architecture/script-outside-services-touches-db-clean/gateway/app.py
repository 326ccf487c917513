import os

import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/orders/{order_id}")
async def order(order_id: str) -> dict:
    async with httpx.AsyncClient(base_url=os.environ["ORDERS_URL"], timeout=5) as client:
        return (await client.get(f"/orders/{order_id}")).json()
