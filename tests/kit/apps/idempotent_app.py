"""A FastAPI service behind IdempotencyMiddleware whose handlers report every effect, so that
tests can count how many times a handler really ran.

In process, :func:`create_app` takes the effect recorder and the gate (an awaitable that holds
a handler inside its effect, to keep a key in progress). As a real server, started with
``uvicorn --factory tests.kit.apps.idempotent_app:from_env``, it reads its settings from the
environment: ``IDEMPOTENCY_DB`` (the SQLite store), ``EFFECTS_PATH`` (a file that every effect
appends a line to, shared by several servers) and ``GATE_PATH`` (a handler waits for that file
to exist before it answers)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from stormproof.kit.idempotency import IdempotencyMiddleware, SqliteIdempotencyStore

GATE_POLL_S = 0.01
GATE_DEADLINE_S = 30.0
# Bytes no text codec would keep as they are: the replay must return them untouched.
RAW_BODY = bytes(range(256)) * 4


async def _open() -> None:
    return None


def create_app(
    *,
    effect: Callable[[str], None],
    gate: Callable[[], Awaitable[None]] = _open,
    **middleware: Any,
) -> FastAPI:
    """The service; ``middleware`` holds IdempotencyMiddleware's settings (store included)."""
    app = FastAPI()
    app.add_middleware(IdempotencyMiddleware, **middleware)

    @app.post("/charges", status_code=201)
    async def charge(request: Request) -> dict[str, Any]:
        effect("charge")
        await gate()
        return {"id": uuid.uuid4().hex, "amount": (await request.json())["amount"]}

    @app.patch("/charges/{charge_id}")
    async def amend(charge_id: str) -> dict[str, Any]:
        effect("amend")
        return {"id": charge_id, "amended": uuid.uuid4().hex}

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        effect("ping")
        return {"pong": uuid.uuid4().hex}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/raw")
    async def raw() -> Response:
        effect("raw")
        response = Response(RAW_BODY, status_code=202, media_type="application/x-ledger")
        response.set_cookie("receipt", uuid.uuid4().hex)
        response.set_cookie("session", "abc")
        response.headers["X-Receipt"] = uuid.uuid4().hex
        return response

    @app.post("/stream")
    async def stream() -> StreamingResponse:
        effect("stream")
        token = uuid.uuid4().hex.encode()

        async def chunks() -> AsyncIterator[bytes]:
            for part in (b"first,", token, b",last"):
                yield part

        return StreamingResponse(chunks(), media_type="text/csv")

    @app.post("/status/{status}")
    async def answer(status: int) -> JSONResponse:
        effect(f"status {status}")
        return JSONResponse({"status": status, "nonce": uuid.uuid4().hex}, status_code=status)

    @app.post("/crash")
    async def crash() -> None:
        effect("crash")
        raise RuntimeError("the handler failed")

    return app


def from_env() -> FastAPI:
    """The service as a real server runs it (see the module docstring)."""
    effects = Path(os.environ["EFFECTS_PATH"])
    gate_path = Path(os.environ["GATE_PATH"])

    def effect(name: str) -> None:
        # O_APPEND: lines from several processes never overwrite each other.
        with effects.open("a") as log:
            log.write(f"{name} {os.getpid()}\n")

    async def gate() -> None:
        deadline = asyncio.get_running_loop().time() + GATE_DEADLINE_S
        while not gate_path.exists():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{gate_path} never appeared")
            await asyncio.sleep(GATE_POLL_S)

    store = SqliteIdempotencyStore(os.environ["IDEMPOTENCY_DB"])
    return create_app(effect=effect, gate=gate, store=store)
