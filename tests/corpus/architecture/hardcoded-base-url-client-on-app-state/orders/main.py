from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from orders.routes import router


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.inventory = httpx.AsyncClient(
        base_url="http://inventory:8000",  # expect: SP804
        timeout=httpx.Timeout(5.0),
    )
    app.state.public = httpx.AsyncClient(base_url="https://api.example.com", timeout=5.0)
    yield
    await app.state.inventory.aclose()
    await app.state.public.aclose()


app = FastAPI(lifespan=lifespan)
app.include_router(router)
