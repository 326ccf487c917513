import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request

USERS_URL = os.environ["USERS_URL"]
ORDERS_URL = os.environ["ORDERS_URL"]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.users = httpx.AsyncClient(base_url=USERS_URL, timeout=None)  # expect: SP102
    app.state.orders = httpx.AsyncClient(base_url=ORDERS_URL, timeout=httpx.Timeout(10.0))
    yield
    await app.state.users.aclose()
    await app.state.orders.aclose()


app = FastAPI(lifespan=lifespan)


def reports_client() -> httpx.Client:
    return httpx.Client(
        base_url=os.environ["REPORTS_URL"],
        timeout=None,  # expect: SP102
        headers={"Accept": "application/json"},
    )


@app.get("/me/orders")
async def my_orders(request: Request) -> dict:
    user_id = request.headers["x-user-id"]
    user = (await request.app.state.users.get(f"/users/{user_id}")).json()
    orders = (await request.app.state.orders.get("/orders", params={"user": user_id})).json()
    return {"user": user, "orders": orders}
