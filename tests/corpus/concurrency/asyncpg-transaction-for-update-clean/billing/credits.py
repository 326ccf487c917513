"""Prepaid API credits in Postgres via asyncpg, row locked inside a transaction."""

import os

import asyncpg
from fastapi import FastAPI, HTTPException

app = FastAPI()
pool: asyncpg.Pool | None = None


@app.on_event("startup")
async def startup() -> None:
    global pool
    pool = await asyncpg.create_pool(dsn=os.environ["BILLING_DSN"])


@app.post("/tenants/{tenant_id}/consume")
async def consume(tenant_id: str, units: int = 1) -> dict:
    async with pool.acquire() as conn, conn.transaction():
        credits = await conn.fetchval(
            "SELECT credits FROM tenants WHERE id = $1 FOR UPDATE", tenant_id
        )
        if credits is None:
            raise HTTPException(404, "unknown tenant")
        if credits < units:
            raise HTTPException(429, "out of credits")
        left = credits - units
        await conn.execute("UPDATE tenants SET credits = $1 WHERE id = $2", left, tenant_id)
    return {"tenant": tenant_id, "credits": left}


@app.post("/tenants/{tenant_id}/topup")
async def topup(tenant_id: str, units: int) -> dict:
    async with pool.acquire() as conn:
        credits = await conn.fetchval(
            "UPDATE tenants SET credits = credits + $1 WHERE id = $2 RETURNING credits",
            units,
            tenant_id,
        )
    return {"tenant": tenant_id, "credits": credits}
