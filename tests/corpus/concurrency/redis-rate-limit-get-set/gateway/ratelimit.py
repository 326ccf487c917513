"""Fixed-window rate limiter middleware."""

import os
import time

import redis
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

LIMIT_PER_MINUTE = int(os.getenv("RATE_LIMIT", "120"))
r = redis.Redis(host=os.getenv("REDIS_HOST", "localhost"), port=6379, decode_responses=True)
app = FastAPI()


@app.middleware("http")
async def rate_limit(request: Request, call_next):
    client = request.client.host if request.client else "anon"
    window = int(time.time() // 60)
    key = f"rl:{client}:{window}"
    current = r.get(key)
    count = int(current) if current else 0
    if count >= LIMIT_PER_MINUTE:
        return JSONResponse({"detail": "rate limited"}, status_code=429)
    r.set(key, count + 1, ex=60)  # expect: SP702
    return await call_next(request)


@app.get("/limits/{client}")
def remaining(client: str) -> dict:
    window = int(time.time() // 60)
    used = int(r.get(f"rl:{client}:{window}") or 0)
    return {"client": client, "remaining": max(LIMIT_PER_MINUTE - used, 0)}
