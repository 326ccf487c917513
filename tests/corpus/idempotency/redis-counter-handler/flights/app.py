"""Flights service keeping seat counts and holds in Redis."""

import json
import os
import time

import redis
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

r = redis.Redis.from_url(os.environ.get("FLIGHTS_REDIS", "redis://localhost:6379/0"))
app = FastAPI()


class Hold(BaseModel):
    flight_id: str
    user_id: str


@app.post("/reservations")
def hold_seat(hold: Hold) -> dict:  # expect: SP401
    left = r.decr(f"seats:{hold.flight_id}")
    if left < 0:
        r.incr(f"seats:{hold.flight_id}")
        raise HTTPException(status_code=409, detail="sold out")
    reservation_id = f"{hold.flight_id}-{int(time.time() * 1000)}"
    r.rpush(f"holds:{hold.flight_id}", json.dumps({"id": reservation_id, "user": hold.user_id}))
    return {"id": reservation_id}


@app.delete("/reservations/{reservation_id}")
def release_seat(reservation_id: str) -> dict:  # expect: SP401
    flight_id = reservation_id.rsplit("-", 1)[0]
    r.incr(f"seats:{flight_id}")
    return {"released": reservation_id}


@app.get("/flights/{flight_id}/seats")
def seats(flight_id: str) -> dict:
    return {"seats_left": int(r.get(f"seats:{flight_id}") or 0)}
