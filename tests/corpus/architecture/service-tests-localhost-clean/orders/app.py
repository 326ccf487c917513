import os

import httpx
from fastapi import FastAPI

app = FastAPI()
PAYMENTS_URL = os.environ["PAYMENTS_URL"]


@app.post("/orders")
async def create(amount: int) -> dict:
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.post(f"{PAYMENTS_URL}/charges", json={"amount": amount})
    return {"charged": resp.status_code == 201}
