import json
import os

import httpx
import redis.asyncio as redis
from fastapi import FastAPI

app = FastAPI()
catalog = httpx.AsyncClient(base_url=os.environ["CATALOG_URL"], timeout=3.0)
cache = redis.from_url(os.environ["PAGE_CACHE_URL"], decode_responses=True)  # expect: SP801


@app.get("/products/{product_id}")
async def product_page(product_id: str) -> dict:
    cached = await cache.get(f"page:{product_id}")
    if cached:
        return json.loads(cached)
    resp = await catalog.get(f"/products/{product_id}")
    resp.raise_for_status()
    await cache.set(f"page:{product_id}", resp.text, ex=60)
    return resp.json()
