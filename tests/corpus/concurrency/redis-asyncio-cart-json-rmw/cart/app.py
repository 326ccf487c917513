import json
import os

import redis.asyncio as aioredis
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="cart")
redis = aioredis.from_url(os.getenv("CART_REDIS_URL", "redis://localhost:6379/1"), decode_responses=True)


class CartItem(BaseModel):
    sku: str
    quantity: int = 1


@app.post("/carts/{cart_id}/items")
async def add_item(cart_id: str, item: CartItem) -> dict:
    key = f"cart:{cart_id}"
    raw = await redis.get(key)
    cart = json.loads(raw) if raw else {"items": []}
    cart["items"].append(item.model_dump())
    await redis.set(key, json.dumps(cart), ex=86_400)  # expect: SP702
    return cart


@app.get("/carts/{cart_id}")
async def get_cart(cart_id: str) -> dict:
    raw = await redis.get(f"cart:{cart_id}")
    return json.loads(raw) if raw else {"items": []}


@app.put("/carts/{cart_id}")
async def replace_cart(cart_id: str, items: list[CartItem]) -> dict:
    cart = {"items": [i.model_dump() for i in items]}
    await redis.set(f"cart:{cart_id}", json.dumps(cart), ex=86_400)
    return cart
