"""Prepaid API credits in Postgres via asyncpg."""

import os

import asyncpg
from fastapi import FastAPI, HTTPException

app = FastAPI()


@app.on_event("startup")
async def startup() -> None:
    app.state.pool = await asyncpg.create_pool(os.environ["BILLING_DSN"], min_size=1)


@app.post("/tenants/{tenant_id}/consume")
async def consume(tenant_id: str, units: int = 1) -> dict:
    async with app.state.pool.acquire() as conn:
        credits = await conn.fetchval("SELECT credits FROM tenants WHERE id = $1", tenant_id)
        if credits is None:
            raise HTTPException(404, "unknown tenant")
        if credits < units:
            raise HTTPException(429, "out of credits")
        await conn.execute(  # expect: SP701
            "UPDATE tenants SET credits = $1 WHERE id = $2", credits - units, tenant_id
        )
    return {"tenant": tenant_id, "credits": credits - units}


@app.get("/tenants/{tenant_id}")
async def show(tenant_id: str) -> dict:
    async with app.state.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT id, credits FROM tenants WHERE id = $1", tenant_id)
    if row is None:
        raise HTTPException(404, "unknown tenant")
    return dict(row)
