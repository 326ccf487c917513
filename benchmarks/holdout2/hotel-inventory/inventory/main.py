"""Room inventory in Redis: rooms left per room type and night, and holds on them."""

import os
import uuid
from datetime import date, timedelta
from typing import Annotated

import redis
from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel

r = redis.Redis.from_url(os.environ["INVENTORY_REDIS_URL"], decode_responses=True)
app = FastAPI(title="inventory")
HOLD_TTL_SECONDS = 30 * 24 * 3600


class HoldRequest(BaseModel):
    room_type: str
    check_in: date
    nights: int
    rooms: int = 1


class Adjustment(BaseModel):
    delta: int


class Closure(BaseModel):
    rooms: int


def night_keys(room_type: str, check_in: date, nights: int) -> list[str]:
    return [f"avail:{room_type}:{check_in + timedelta(days=n)}" for n in range(nights)]


@app.get("/availability")
def availability(room_type: str, check_in: date, nights: int) -> dict[str, int]:
    counts = r.mget(night_keys(room_type, check_in, nights))
    return {"rooms": min(int(count or 0) for count in counts)}


@app.post("/holds", status_code=201)
def hold(body: HoldRequest, idempotency_key: Annotated[str, Header()]) -> dict[str, str]:
    hold_id = uuid.uuid4().hex
    if not r.set(f"idem:{idempotency_key}", hold_id, nx=True, ex=HOLD_TTL_SECONDS):
        return {"hold_id": r.get(f"idem:{idempotency_key}")}
    keys = night_keys(body.room_type, body.check_in, body.nights)
    with r.pipeline() as pipe:
        while True:
            try:
                pipe.watch(*keys)
                left = [int(count or 0) for count in pipe.mget(keys)]
                if min(left) < body.rooms:
                    pipe.unwatch()
                    r.delete(f"idem:{idempotency_key}")
                    raise HTTPException(status_code=409, detail="sold out")
                pipe.multi()
                for key, count in zip(keys, left, strict=True):
                    pipe.set(key, count - body.rooms)
                pipe.hset(f"hold:{hold_id}", mapping={"keys": ",".join(keys), "rooms": body.rooms})
                pipe.execute()
                return {"hold_id": hold_id}
            except redis.WatchError:
                continue


@app.get("/holds/{hold_id}")
def get_hold(hold_id: str) -> dict[str, str]:
    return r.hgetall(f"hold:{hold_id}")


@app.delete("/holds/{hold_id}")
def release(hold_id: str) -> dict[str, bool]:
    held = r.hgetall(f"hold:{hold_id}")
    if not held:
        return {"released": False}
    for key in held["keys"].split(","):
        r.incrby(key, int(held["rooms"]))
    r.delete(f"hold:{hold_id}")
    return {"released": True}


@app.post("/rooms/{room_type}/overbooking")
def adjust_overbooking(room_type: str, body: Adjustment) -> dict[str, int]:
    with r.lock(f"lock:overbook:{room_type}", timeout=5, blocking_timeout=2):
        current = int(r.get(f"overbook:{room_type}") or 0)
        r.set(f"overbook:{room_type}", current + body.delta)
    return {"overbooking": current + body.delta}


@app.post("/rooms/{room_type}/out-of-order")
def out_of_order(room_type: str, body: Adjustment) -> dict[str, int]:
    stats = f"room:{room_type}"
    broken = int(r.hget(stats, "out_of_order") or 0)
    r.hset(stats, "out_of_order", broken + body.delta)
    return {"out_of_order": broken + body.delta}


@app.post("/availability/{room_type}/{night}/close")
def close_rooms(room_type: str, night: date, body: Closure) -> dict[str, int]:
    key = f"avail:{room_type}:{night}"
    left = int(r.get(key) or 0)
    remaining = max(left - body.rooms, 0)
    pipe = r.pipeline()
    pipe.set(key, remaining)
    pipe.expire(key, HOLD_TTL_SECONDS)
    pipe.execute()
    return {"rooms": remaining}
