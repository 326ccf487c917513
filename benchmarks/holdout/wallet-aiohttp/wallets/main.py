"""Wallets service: balances, debits and credits, on Postgres via asyncpg."""

import logging
import os
import uuid

import aiohttp
import asyncpg
from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

log = logging.getLogger("wallets")

LEDGER_URL = os.environ["LEDGER_URL"]
LEDGER_TIMEOUT = aiohttp.ClientTimeout(total=3, connect=1)


class Movement(BaseModel):
    amount: int = Field(gt=0, description="minor units")
    transfer_id: str


async def init_pool(app: web.Application) -> None:
    app["pool"] = await asyncpg.create_pool(os.environ["WALLETS_PG_DSN"], min_size=2)


async def close_pool(app: web.Application) -> None:
    await app["pool"].close()


async def read_movement(request: web.Request) -> Movement:
    try:
        return Movement.model_validate(await request.json())
    except ValidationError as exc:
        raise web.HTTPUnprocessableEntity(text=exc.json()) from exc


async def debit(request: web.Request) -> web.Response:
    """Take money out of a wallet; the row lock serialises concurrent debits."""
    wallet_id = request.match_info["wallet_id"]
    movement = await read_movement(request)
    pool: asyncpg.Pool = request.app["pool"]
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow("SELECT balance FROM wallets WHERE id = $1 FOR UPDATE", wallet_id)
        if row is None:
            raise web.HTTPNotFound(text="no such wallet")
        if row["balance"] < movement.amount:
            raise web.HTTPConflict(text="insufficient funds")
        balance = row["balance"] - movement.amount
        await conn.execute("UPDATE wallets SET balance = $1 WHERE id = $2", balance, wallet_id)

    try:
        async with aiohttp.ClientSession(timeout=LEDGER_TIMEOUT) as ledger:
            await ledger.post(
                f"{LEDGER_URL}/entries",
                json={
                    "request_id": str(uuid.uuid4()),
                    "account": wallet_id,
                    "amount": -movement.amount,
                    "reference": movement.transfer_id,
                },
            )
    except aiohttp.ClientError:
        log.warning("ledger entry for debit of %s not written", wallet_id)
    return web.json_response({"wallet_id": wallet_id, "balance": balance})


async def credit(request: web.Request) -> web.Response:
    """Put money into a wallet."""
    wallet_id = request.match_info["wallet_id"]
    movement = await read_movement(request)
    async with request.app["pool"].acquire() as conn:
        row = await conn.fetchrow("SELECT balance FROM wallets WHERE id = $1", wallet_id)
        if row is None:
            raise web.HTTPNotFound(text="no such wallet")
        new_balance = row["balance"] + movement.amount
        await conn.execute("UPDATE wallets SET balance = $1 WHERE id = $2", new_balance, wallet_id)
    log.info("credited %s to %s (transfer %s)", movement.amount, wallet_id, movement.transfer_id)
    return web.json_response({"wallet_id": wallet_id, "balance": new_balance})


async def get_wallet(request: web.Request) -> web.Response:
    wallet_id = request.match_info["wallet_id"]
    async with request.app["pool"].acquire() as conn:
        row = await conn.fetchrow("SELECT id, balance FROM wallets WHERE id = $1", wallet_id)
    if row is None:
        raise web.HTTPNotFound(text="no such wallet")
    return web.json_response(dict(row))


def make_app() -> web.Application:
    app = web.Application()
    app.on_startup.append(init_pool)
    app.on_cleanup.append(close_pool)
    app.router.add_post("/wallets/{wallet_id}/debit", debit)
    app.router.add_post("/wallets/{wallet_id}/credit", credit)
    app.router.add_get("/wallets/{wallet_id}", get_wallet)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=int(os.getenv("PORT", "8081")))
