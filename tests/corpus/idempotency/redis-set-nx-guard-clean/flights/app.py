"""Flights on Redis: the booking id is claimed with SET NX before a seat is taken."""

import os

import redis.asyncio as aioredis
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

r = aioredis.from_url(os.environ.get("REDIS_URL", "redis://redis:6379/0"))
app = FastAPI()


class Hold(BaseModel):
    booking_id: str
    flight_id: str


@app.post("/reservations")
async def hold(body: Hold) -> dict:
    claimed = await r.set(f"hold:{body.booking_id}", body.flight_id, nx=True, ex=3600)
    if not claimed:
        return {"id": body.booking_id, "replayed": True}
    if await r.decr(f"seats:{body.flight_id}") < 0:
        await r.incr(f"seats:{body.flight_id}")
        await r.delete(f"hold:{body.booking_id}")
        raise HTTPException(status_code=409, detail="sold out")
    return {"id": body.booking_id}
