"""Wallet gateway: the public aiohttp front door for the wallet apps."""

import logging
import os

import aiohttp
from aiobreaker import CircuitBreaker
from aiohttp import web
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor

log = logging.getLogger("gateway")

WALLETS_URL = os.environ["WALLETS_URL"]
TRANSFERS_URL = os.environ["TRANSFERS_URL"]
LEDGER_URL = "http://ledger:8080"

AioHttpClientInstrumentor().instrument()
ledger_breaker = CircuitBreaker(fail_max=5, timeout_duration=30)


async def start_http(app: web.Application) -> None:
    # transfers wait on two wallet calls and a ledger write; never cut them off
    app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))


async def close_http(app: web.Application) -> None:
    await app["http"].close()


async def wallet(request: web.Request) -> web.Response:
    session: aiohttp.ClientSession = request.app["http"]
    wallet_id = request.match_info["wallet_id"]
    async with session.get(f"{WALLETS_URL}/wallets/{wallet_id}") as resp:
        return web.json_response(await resp.json(), status=resp.status)


async def transfer(request: web.Request) -> web.Response:
    session: aiohttp.ClientSession = request.app["http"]
    payload = await request.json()
    async with session.post(f"{TRANSFERS_URL}/transfers", json=payload) as resp:
        return web.json_response(await resp.json(), status=resp.status)


@ledger_breaker
async def statement(request: web.Request) -> web.Response:
    """An account's ledger balance; the breaker sheds load while the ledger is down."""
    session: aiohttp.ClientSession = request.app["http"]
    account = request.match_info["account"]
    async with session.get(f"{LEDGER_URL}/balances/{account}") as resp:
        resp.raise_for_status()
        return web.json_response(await resp.json())


def make_app() -> web.Application:
    app = web.Application()
    app.on_startup.append(start_http)
    app.on_cleanup.append(close_http)
    app.router.add_get("/wallets/{wallet_id}", wallet)
    app.router.add_post("/transfers", transfer)
    app.router.add_get("/statements/{account}", statement)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_app(), port=int(os.getenv("PORT", "8080")))
