"""Gateway: all data comes from the services that own it."""

import os

import httpx
from fastapi import FastAPI, HTTPException

ORDERS_URL = os.environ["ORDERS_URL"]
CATALOG_URL = os.getenv("CATALOG_URL", "http://catalog:8000")

app = FastAPI(title="gateway")
http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=1.0))


@app.get("/orders/{order_id}")
async def order_view(order_id: str) -> dict:
    order = await http.get(f"{ORDERS_URL}/orders/{order_id}")
    if order.status_code == 404:
        raise HTTPException(404, "order not found")
    order.raise_for_status()
    body = order.json()
    items = []
    for line in body["lines"]:
        product = await http.get(f"{CATALOG_URL}/products/{line['sku']}")
        items.append({**line, "name": product.json()["name"]})
    return {**body, "lines": items}


@app.on_event("shutdown")
async def close() -> None:
    await http.aclose()
