"""Usage metering in Redis: counters per tenant and period, and prepaid quotas."""

import os
from datetime import UTC, datetime

import redis.asyncio as aioredis
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

r = aioredis.from_url(os.environ["USAGE_REDIS_URL"], decode_responses=True)
app = FastAPI(title="usage")

CONSUME_SCRIPT = r.register_script(
    """
    local left = tonumber(redis.call('HGET', KEYS[1], 'remaining') or '0')
    if left < tonumber(ARGV[1]) then return -1 end
    return redis.call('HINCRBY', KEYS[1], 'remaining', -tonumber(ARGV[1]))
    """
)


class Metering(BaseModel):
    metric: str
    units: int


class Consumption(BaseModel):
    units: int


def current_period() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


@app.post("/usage/{tenant_id}", status_code=202)
async def meter(tenant_id: str, body: Metering) -> dict[str, int]:
    total = await r.hincrby(f"usage:{tenant_id}:{current_period()}", body.metric, body.units)
    return {"total": total}


@app.get("/usage/{tenant_id}")
async def usage_of(tenant_id: str) -> dict[str, int]:
    return await totals(tenant_id, current_period())


@app.get("/usage")
async def usage_for_period(tenant_id: str, period: str) -> dict[str, int]:
    return await totals(tenant_id, period)


async def totals(tenant_id: str, period: str) -> dict[str, int]:
    counters = await r.hgetall(f"usage:{tenant_id}:{period}")
    return {"units": sum(int(value) for value in counters.values())}


@app.post("/quota/{tenant_id}/consume")
async def consume(tenant_id: str, body: Consumption) -> dict[str, int]:
    left = await CONSUME_SCRIPT(keys=[f"quota:{tenant_id}"], args=[body.units])
    if left < 0:
        raise HTTPException(status_code=429, detail="quota exhausted")
    return {"remaining": left}


@app.post("/quota/{tenant_id}/top-up")
async def top_up(tenant_id: str, body: Consumption) -> dict[str, int]:
    key = f"quota:{tenant_id}"
    remaining = int(await r.hget(key, "remaining") or 0)
    await r.hset(key, "remaining", remaining + body.units)
    return {"remaining": remaining + body.units}
