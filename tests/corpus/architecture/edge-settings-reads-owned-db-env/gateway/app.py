import httpx
from fastapi import FastAPI

from gateway.config import settings

app = FastAPI()


@app.get("/orders/{order_id}")
async def get_order(order_id: str) -> dict:
    async with httpx.AsyncClient(timeout=settings.request_timeout_s) as client:
        resp = await client.get(f"{settings.orders_api_url}/orders/{order_id}")
    resp.raise_for_status()
    return resp.json()
