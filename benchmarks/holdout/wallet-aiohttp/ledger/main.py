"""Ledger service: an append-only journal of wallet movements."""

import logging
import os

import asyncpg
from aiohttp import web
from pydantic import BaseModel

log = logging.getLogger("ledger")


class Entry(BaseModel):
    request_id: str
    account: str
    amount: int
    reference: str | None = None


async def init_db(app: web.Application) -> None:
    app["db"] = await asyncpg.create_pool(os.environ["LEDGER_PG_DSN"])


async def add_entry(request: web.Request) -> web.Response:
    """Append an entry; a repeated request_id is accepted and ignored."""
    entry = Entry.model_validate(await request.json())
    status = await request.app["db"].execute(
        "INSERT INTO entries (request_id, account, amount, reference) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (request_id) DO NOTHING",
        entry.request_id,
        entry.account,
        entry.amount,
        entry.reference,
    )
    created = status.endswith(" 1")
    return web.json_response({"request_id": entry.request_id}, status=201 if created else 200)


async def balance(request: web.Request) -> web.Response:
    account = request.match_info["account"]
    total = await request.app["db"].fetchval(
        "SELECT COALESCE(SUM(amount), 0) FROM entries WHERE account = $1", account
    )
    return web.json_response({"account": account, "balance": total})


app = web.Application()
app.on_startup.append(init_db)
app.router.add_post("/entries", add_entry)
app.router.add_get("/balances/{account}", balance)

if __name__ == "__main__":
    web.run_app(app, port=int(os.getenv("PORT", "8083")))
