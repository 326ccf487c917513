"""IdempotencyMiddleware end to end on each store (SQLite, PostgreSQL, Redis), through httpx's
ASGI transport: replays, 409 and 422, one run among racing requests, takeover and expiry;
and, on a real server, what a client sees when the store's server goes away.

A store error is never a replay: while the request has not started its answer (``begin``
failed), the middleware raises and the ASGI server answers 500 without running the handler;
once the handler answered (``complete`` failed, and so did the release), the answer is cut
off, so the client gets a transport error and not an answer that was never stored."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from stormproof.kit.idempotency import (
    IdempotencyStore,
    PostgresIdempotencyStore,
    RedisIdempotencyStore,
)
from stormproof.kit.idempotency.fingerprint import fingerprint
from tests.kit import test_idempotency_store as contract
from tests.kit.apps.idempotent_app import RAW_BODY, create_app
from tests.servers import postgres_cluster, redis_server

pytestmark = pytest.mark.anyio
postgres_dsn = contract.postgres_dsn
redis_url = contract.redis_url
START = 1_700_000_000.0
TTL = 3600.0
LOCK_TIMEOUT = 60.0
DEADLINE_S = 30.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Gate:
    """Holds each /charges handler inside its effect while closed (it starts open); a
    thread-safe event, so that it works for a server in a thread of its own too."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()

    def open(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._open.clear()

    async def __call__(self) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while not self._open.is_set():
            assert time.monotonic() < deadline, "the gate was never opened"
            await asyncio.sleep(0.005)


@dataclass
class Service:
    """The test app on one store, and the clock its middleware reads."""

    store: IdempotencyStore
    now: float = START
    gate: Gate = field(default_factory=Gate)
    effects: list[str] = field(default_factory=list)

    @cached_property
    def app(self) -> FastAPI:
        return create_app(
            effect=self.effects.append,
            gate=self.gate,
            store=self.store,
            ttl=TTL,
            lock_timeout=LOCK_TIMEOUT,
            clock=lambda: self.now,
        )

    def client(self, *, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=raise_app_exceptions)
        return httpx.AsyncClient(transport=transport, base_url="http://service")

    def runs(self, name: str = "charge") -> int:
        return self.effects.count(name)

    async def entered(self, count: int = 1) -> None:
        """Wait until ``count`` charge handlers have started."""
        deadline = time.monotonic() + DEADLINE_S
        while self.runs() < count:
            assert time.monotonic() < deadline, f"{count} handler(s) never started"
            await asyncio.sleep(0.005)


@pytest.fixture(params=["sqlite-file", "postgres", "redis"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    with contract.backend_for(request, tmp_path) as backend:
        yield Service(backend.open())


@pytest.fixture
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    async with service.client() as opened:
        yield opened


def charge(
    client: httpx.AsyncClient, key: str = "k-1", amount: int = 100
) -> Coroutine[Any, Any, httpx.Response]:
    return client.post("/charges", json={"amount": amount}, headers={"Idempotency-Key": key})


# --- on each store --------------------------------------------------------------------------


async def test_a_retry_replays_the_first_answer_byte_for_byte(
    service: Service, client: httpx.AsyncClient
) -> None:
    first = await client.post("/raw", headers={"Idempotency-Key": "raw"})
    second = await client.post("/raw", headers={"Idempotency-Key": "raw"})
    assert first.status_code == second.status_code == 202
    assert first.content == second.content == RAW_BODY
    assert second.headers.raw == [*first.headers.raw, (b"idempotent-replayed", b"true")]
    assert service.runs("raw") == 1


async def test_a_retry_while_the_first_runs_gets_409_and_another_request_422(
    service: Service, client: httpx.AsyncClient
) -> None:
    service.gate.close()
    first = asyncio.create_task(charge(client))
    await service.entered()
    conflict = await charge(client)
    assert conflict.status_code == 409 and conflict.headers["retry-after"] == "1"
    assert (await charge(client, amount=5)).status_code == 422
    service.gate.open()
    assert (await first).status_code == 201
    assert (await charge(client)).content == (await first).content
    assert (await charge(client, amount=5)).status_code == 422
    assert service.runs() == 1


async def test_many_racing_requests_with_one_new_key_run_the_handler_once(
    service: Service, client: httpx.AsyncClient
) -> None:
    answers = await asyncio.gather(*(charge(client, "race") for _ in range(30)))
    assert service.runs() == 1
    assert {answer.status_code for answer in answers} <= {201, 409}
    assert len({answer.content for answer in answers if answer.status_code == 201}) == 1


async def test_a_server_error_releases_the_key_for_a_retry(
    service: Service, client: httpx.AsyncClient
) -> None:
    for _ in range(2):
        response = await client.post("/status/503", headers={"Idempotency-Key": "e"})
        assert response.status_code == 503 and "idempotent-replayed" not in response.headers
    assert service.runs("status 503") == 2


async def test_a_lock_left_by_a_crashed_request_is_taken_over_after_the_lock_timeout(
    service: Service, client: httpx.AsyncClient
) -> None:
    body = b'{"amount": 100}'
    # A request locked the key, then its process died: nothing will complete or release it.
    fp = fingerprint("POST", "/charges", b"", body)
    service.store.begin("k-1", fp, now=START, lock_until=START + LOCK_TIMEOUT)

    def retry() -> Coroutine[Any, Any, httpx.Response]:
        return client.post("/charges", content=body, headers={"Idempotency-Key": "k-1"})

    service.now = START + LOCK_TIMEOUT - 0.001
    assert (await retry()).status_code == 409
    service.now = START + LOCK_TIMEOUT
    taken = await retry()
    assert taken.status_code == 201 and "idempotent-replayed" not in taken.headers
    assert (await retry()).content == taken.content
    assert service.runs() == 1


async def test_answers_expire_after_ttl(service: Service, client: httpx.AsyncClient) -> None:
    first = await charge(client)
    service.now = START + TTL - 0.001
    assert (await charge(client)).content == first.content
    service.now = START + TTL
    fresh = await charge(client, amount=7)  # an expired key may even serve another request
    assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
    assert service.runs() == 2


# --- when the store's server goes away --------------------------------------------------------


@contextlib.contextmanager
def store_on_own_server(kind: str) -> Iterator[tuple[IdempotencyStore, contextlib.ExitStack]]:
    """A store on a server of its own, and the stack whose closing stops that server."""
    with contextlib.ExitStack() as running:
        try:
            if kind == "postgres":
                pytest.importorskip("psycopg", reason="psycopg 3 is not installed")
                dsn = running.enter_context(postgres_cluster.cluster())
                store: Any = PostgresIdempotencyStore(dsn, connect_timeout=2)
            else:
                url = running.enter_context(redis_server.redis_server())
                store = RedisIdempotencyStore(url)
        except (postgres_cluster.Unavailable, redis_server.Unavailable) as why:
            pytest.skip(f"no {kind} server: {why}")
        try:
            yield store, running
        finally:
            store.close()


def refused(kind: str) -> type[Exception]:
    """What the driver raises for a server that refuses connections."""
    if kind == "postgres":
        import psycopg

        return psycopg.OperationalError
    import redis

    return redis.ConnectionError


@pytest.mark.parametrize("kind", ["postgres", "redis"])
async def test_a_store_whose_server_is_down_gets_500_and_never_a_replay(kind: str) -> None:
    with store_on_own_server(kind) as (store, running):
        service = Service(store)
        async with service.client(raise_app_exceptions=False) as client:
            assert (await charge(client, "before")).status_code == 201
            running.close()  # the server stops
            for key in ("before", "after"):
                failed = await charge(client, key)
                assert failed.status_code == 500
                assert "idempotent-replayed" not in failed.headers
        async with service.client() as client:  # the store's error, as the server sees it
            with pytest.raises(refused(kind), match=r"[Cc]onnection refused"):
                await charge(client, "after")
    assert service.runs() == 1


@contextlib.contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` on a real uvicorn server, in a thread; its URL."""
    uvicorn = pytest.importorskip("uvicorn")
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="critical")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + DEADLINE_S
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(DEADLINE_S)


@pytest.mark.parametrize("kind", ["postgres", "redis"])
def test_a_store_that_fails_after_the_handler_ran_cuts_the_answer_off(kind: str) -> None:
    with store_on_own_server(kind) as (store, running):
        service = Service(store)
        service.gate.close()
        with serving(service.app) as url, httpx.Client(base_url=url, timeout=DEADLINE_S) as http:
            outcome: list[Any] = []

            def request() -> None:
                try:
                    outcome.append(charge_sync(http))
                except httpx.HTTPError as error:
                    outcome.append(error)

            call = threading.Thread(target=request)
            call.start()
            asyncio.run(service.entered())
            running.close()  # the store's server goes away while the handler runs
            service.gate.open()
            call.join(DEADLINE_S)
    [answer] = outcome
    # Not a 201 whose answer was lost, nor a replay: the client knows it must retry.
    assert isinstance(answer, httpx.RemoteProtocolError), answer
    assert service.runs() == 1


def charge_sync(http: httpx.Client) -> httpx.Response:
    return http.post("/charges", json={"amount": 100}, headers={"Idempotency-Key": "k-1"})
