"""Rider-facing API: authenticates and rate-limits riders, then hands rides to dispatch."""

import logging
import os

import httpx
import redis
from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

logger = logging.getLogger("gateway")

DISPATCH_URL = os.environ["DISPATCH_URL"]
RIDES_PER_MINUTE = 20

app = FastAPI(title="gateway")
http = httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0))
limiter = redis.Redis.from_url(os.environ["RATELIMIT_REDIS_URL"], decode_responses=True)


class RideRequest(BaseModel):
    rider_id: str
    pickup: str
    dropoff: str
    card_token: str


def within_rate_limit(rider_id: str) -> bool:
    key = f"rl:{rider_id}"
    count = limiter.incr(key)
    if count == 1:
        limiter.expire(key, 60)
    return count <= RIDES_PER_MINUTE


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/rides", status_code=201)
def request_ride(body: RideRequest, request: Request) -> dict:
    if not within_rate_limit(body.rider_id):
        raise HTTPException(status_code=429, detail="too many ride requests")
    forwarded = http.post(
        f"{DISPATCH_URL}/rides",
        json=body.model_dump(),
        headers={"traceparent": request.headers.get("traceparent", "")},
    )
    if forwarded.status_code >= 400:
        raise HTTPException(status_code=forwarded.status_code, detail=forwarded.json())
    return forwarded.json()


@app.get("/rides/{ride_id}")
def ride_status(ride_id: str) -> dict:
    resp = http.get(f"{DISPATCH_URL}/rides/{ride_id}", timeout=None)
    resp.raise_for_status()
    return resp.json()


@app.post("/rides/{ride_id}/cancel", status_code=202)
def cancel_ride(ride_id: str) -> dict[str, str]:
    try:
        resp = http.post(f"{DISPATCH_URL}/rides/{ride_id}/cancel")
        resp.raise_for_status()
    except Exception:
        logger.exception("cancel of ride %s failed", ride_id)
    return {"ride_id": ride_id, "status": "cancelling"}


@app.get("/admin/active-rides")
def active_rides() -> list[dict]:
    # Ops asked for this quickly; it talks to the dispatch container directly.
    resp = http.get("http://dispatch:8000/rides", params={"status": "active"})
    resp.raise_for_status()
    return resp.json()["rides"]
