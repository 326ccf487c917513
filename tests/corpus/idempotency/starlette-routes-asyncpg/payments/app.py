"""Payments on plain Starlette with asyncpg."""

import os

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

pool: asyncpg.Pool | None = None


async def startup() -> None:
    global pool
    pool = await asyncpg.create_pool(os.environ["PAYMENTS_DSN"])


async def create_charge(request: Request) -> JSONResponse:  # expect: SP401
    body = await request.json()
    async with pool.acquire() as conn:
        charge_id = await conn.fetchval(
            "INSERT INTO charges (user_id, amount_cents) VALUES ($1, $2) RETURNING id",
            body["user_id"],
            body["amount_cents"],
        )
    return JSONResponse({"id": charge_id}, status_code=201)


async def refund(request: Request) -> JSONResponse:  # expect: SP401
    body = await request.json()
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO refunds (charge_id, amount_cents) SELECT id, amount_cents FROM charges WHERE id = $1",
            body["charge_id"],
        )
    return JSONResponse({"refunded": body["charge_id"]})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


app = Starlette(
    routes=[
        Route("/charges", create_charge, methods=["POST"]),
        Route("/refunds", endpoint=refund, methods=["POST"]),
        Route("/health", health),
    ],
    on_startup=[startup],
)
