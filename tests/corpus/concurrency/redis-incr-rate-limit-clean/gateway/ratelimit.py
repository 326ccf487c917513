"""Fixed-window rate limiter: INCR is atomic, so replicas cannot lose counts."""

import os
import time

import redis
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

LIMIT_PER_MINUTE = int(os.getenv("RATE_LIMIT", "120"))
r = redis.Redis.from_url(os.getenv("REDIS_URL", "redis://localhost:6379/0"))
app = FastAPI()


@app.middleware("http")
async def rate_limit(request: Request, call_next):
    client = request.client.host if request.client else "anon"
    key = f"rl:{client}:{int(time.time() // 60)}"
    pipe = r.pipeline()
    pipe.incr(key)
    pipe.expire(key, 60)
    count, _ = pipe.execute()
    if count > LIMIT_PER_MINUTE:
        return JSONResponse({"detail": "rate limited"}, status_code=429)
    return await call_next(request)


@app.post("/limits/{client}/reset")
def reset(client: str) -> dict:
    key = f"rl:{client}:{int(time.time() // 60)}"
    previous = r.get(key)
    r.set(key, 0, ex=60)
    return {"client": client, "previous": int(previous or 0)}
