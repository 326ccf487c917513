"""Seats: holds live in redis; the hold honours a key, the release writes without one."""

import redis.asyncio as redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

store = redis.from_url("redis://seats-cache:6379/0")


async def hold(request: Request) -> JSONResponse:
    seat = request.path_params["seat"]
    key = request.headers["Idempotency-Key"]
    taken = await store.set(f"hold:{seat}", key, nx=True, ex=600)
    return JSONResponse({"seat": seat, "held": bool(taken)})


async def release(request: Request) -> JSONResponse:  # expect: SP401
    seat = request.path_params["seat"]
    await store.delete(f"hold:{seat}")
    await store.hset("seat-state", seat, "free")
    return JSONResponse({"seat": seat, "held": False})


app = Starlette(
    routes=[
        Route("/seats/{seat}/hold", hold, methods=["PUT"]),
        Route("/seats/{seat}/hold", release, methods=["DELETE"]),
    ]
)
