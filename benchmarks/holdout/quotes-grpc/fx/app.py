"""FX service: EUR exchange rates, refreshed into Redis by a cron job."""

import os

import redis
from fastapi import FastAPI, HTTPException

cache = redis.Redis.from_url(os.environ["FX_REDIS_URL"], decode_responses=True)
app = FastAPI(title="fx")


@app.get("/rates/{currency}")
def rate(currency: str) -> dict:
    value = cache.hget("fx:eur", currency.upper())
    if value is None:
        raise HTTPException(status_code=404, detail=f"no rate for {currency}")
    return {"base": "EUR", "currency": currency.upper(), "rate": float(value)}
