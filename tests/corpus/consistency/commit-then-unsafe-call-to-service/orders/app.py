import os
import sqlite3

import httpx
from fastapi import FastAPI

app = FastAPI()
DB = os.environ.get("ORDERS_DB", "orders.db")
NOTIFICATIONS_URL = os.environ["NOTIFICATIONS_URL"]


@app.post("/orders/{order_id}/cancel")
async def cancel(order_id: str) -> dict:
    conn = sqlite3.connect(DB)
    conn.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?", (order_id,))
    conn.commit()
    conn.close()
    async with httpx.AsyncClient(timeout=5) as client:
        await client.post(  # expect: SP902
            f"{NOTIFICATIONS_URL}/messages",
            json={"template": "order-cancelled", "order_id": order_id},
        )
    return {"id": order_id, "status": "cancelled"}


@app.get("/orders/{order_id}")
async def show(order_id: str) -> dict:
    conn = sqlite3.connect(DB)
    row = conn.execute("SELECT id, status FROM orders WHERE id = ?", (order_id,)).fetchone()
    conn.close()
    async with httpx.AsyncClient(timeout=5) as client:
        prefs = await client.get(f"{NOTIFICATIONS_URL}/preferences/{order_id}")
    return {"id": row[0], "status": row[1], "notify": prefs.json()}
