import logging
import os

import httpx
from fastapi import FastAPI, HTTPException

app = FastAPI()
log = logging.getLogger(__name__)

ORDERS_URL = os.environ["ORDERS_URL"]
orders = httpx.AsyncClient(base_url=ORDERS_URL, timeout=5.0)


@app.get("/orders/{order_id}")
async def get_order(order_id: str) -> dict:
    try:
        resp = await orders.get(f"/orders/{order_id}")
    except httpx.HTTPError as exc:
        log.warning("orders unreachable: %s", exc)
        raise HTTPException(status_code=502, detail="orders service unavailable") from exc
    if resp.status_code == 404:
        raise HTTPException(status_code=404, detail="order not found")
    return resp.json()


@app.delete("/orders/{order_id}", status_code=204)
async def cancel_order(order_id: str) -> None:
    try:
        (await orders.delete(f"/orders/{order_id}")).raise_for_status()
    except Exception as exc:
        raise HTTPException(status_code=502, detail=str(exc)) from exc
