"""Transfers service: moves money between two wallets and records the transfer."""

import asyncio
import logging
import os
import uuid

import aiohttp
import asyncpg
from aiohttp import web
from pydantic import BaseModel, Field

log = logging.getLogger("transfers")

WALLETS_URL = os.environ["WALLETS_URL"]
MAX_ATTEMPTS = 4

http: aiohttp.ClientSession
pool: asyncpg.Pool


class TransferIn(BaseModel):
    source: str
    destination: str
    amount: int = Field(gt=0)


async def on_startup(app: web.Application) -> None:
    global http, pool
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10, sock_connect=2))
    pool = await asyncpg.create_pool(os.environ["TRANSFERS_PG_DSN"])


async def on_cleanup(app: web.Application) -> None:
    await http.close()
    await pool.close()


async def create_transfer(request: web.Request) -> web.Response:
    """Debit the source wallet, credit the destination, record the outcome."""
    body = TransferIn.model_validate(await request.json())
    transfer_id = str(uuid.uuid4())
    await pool.execute(
        "INSERT INTO transfers (id, source, destination, amount, status) "
        "VALUES ($1, $2, $3, $4, 'pending')",
        transfer_id,
        body.source,
        body.destination,
        body.amount,
    )

    leg = {"amount": body.amount, "transfer_id": transfer_id}
    for attempt in range(MAX_ATTEMPTS):
        try:
            async with http.post(f"{WALLETS_URL}/wallets/{body.source}/debit", json=leg) as resp:
                if resp.status == 409:
                    raise web.HTTPConflict(text="insufficient funds")
                resp.raise_for_status()
            break
        except aiohttp.ClientError as exc:
            if attempt == MAX_ATTEMPTS - 1:
                raise web.HTTPBadGateway(text="wallets unavailable") from exc
            log.warning("debit attempt %d failed: %s", attempt + 1, exc)
            await asyncio.sleep(0.2 * 2**attempt)

    async with http.post(f"{WALLETS_URL}/wallets/{body.destination}/credit", json=leg) as resp:
        resp.raise_for_status()

    await pool.execute("UPDATE transfers SET status = 'completed' WHERE id = $1", transfer_id)
    return web.json_response({"id": transfer_id, "status": "completed"}, status=201)


async def get_transfer(request: web.Request) -> web.Response:
    row = await pool.fetchrow(
        "SELECT id, source, destination, amount, status FROM transfers WHERE id = $1",
        request.match_info["transfer_id"],
    )
    if row is None:
        raise web.HTTPNotFound()
    return web.json_response(dict(row))


def make_app() -> web.Application:
    app = web.Application()
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app.router.add_post("/transfers", create_transfer)
    app.router.add_get("/transfers/{transfer_id}", get_transfer)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=int(os.getenv("PORT", "8082")))
