"""IdempotencyMiddleware in front of a FastAPI service, through httpx's ASGI transport: each
semantic of Stripe's idempotency keys and the IETF draft, proved by counting handler runs."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from stormproof.kit import ConfigurationError
from stormproof.kit.idempotency import (
    IdempotencyMiddleware,
    Outcome,
    SqliteIdempotencyStore,
)
from stormproof.kit.idempotency.fingerprint import fingerprint
from tests.kit.apps.idempotent_app import RAW_BODY, create_app

pytestmark = pytest.mark.anyio
START = 1_700_000_000.0
TTL = 3600.0
LOCK_TIMEOUT = 60.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Clock:
    """Wall-clock time that only the test moves."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@dataclass
class Service:
    app: FastAPI
    store: SqliteIdempotencyStore
    clock: Clock
    effects: list[str] = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    gated: bool = False

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://service")

    def runs(self, name: str = "charge") -> int:
        return self.effects.count(name)

    async def entered(self, count: int = 1) -> None:
        """Wait until ``count`` charge handlers have started."""
        for _ in range(1000):
            if self.runs() >= count:
                return
            await asyncio.sleep(0.005)
        raise AssertionError(f"{count} handler(s) never started: {self.effects}")


@pytest.fixture
def build(tmp_path: Path) -> Callable[..., Service]:
    """A service on a fresh SQLite file; ``gated=True`` holds /charges until ``gate`` is set."""

    def build(*, gated: bool = False, **middleware: Any) -> Service:
        service = Service(
            app=FastAPI(),
            store=middleware.setdefault("store", SqliteIdempotencyStore(tmp_path / "keys.db")),
            clock=middleware.setdefault("clock", Clock()),
            gated=gated,
        )
        middleware.setdefault("ttl", TTL)
        middleware.setdefault("lock_timeout", LOCK_TIMEOUT)

        async def gate() -> None:
            if service.gated:
                await service.gate.wait()

        service.app = create_app(effect=service.effects.append, gate=gate, **middleware)
        return service

    return build


@pytest.fixture
async def service(build: Callable[..., Service]) -> Service:
    return build()


@pytest.fixture
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    async with service.client() as client:
        yield client


def charge(
    client: httpx.AsyncClient, key: str | None = "k-1", amount: int = 100
) -> Coroutine[Any, Any, httpx.Response]:
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post("/charges", json={"amount": amount}, headers=headers)


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"] == "about:blank"
    return body


# --- the first request and its replay -----------------------------------------------------


async def test_a_retry_replays_the_first_answer_without_running_the_handler(
    service: Service, client: httpx.AsyncClient
) -> None:
    first = await charge(client)
    second = await charge(client)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert service.runs() == 1


async def test_the_replay_is_byte_for_byte(service: Service, client: httpx.AsyncClient) -> None:
    first = await client.post("/raw", headers={"Idempotency-Key": "raw"})
    second = await client.post("/raw", headers={"Idempotency-Key": "raw"})
    assert first.status_code == second.status_code == 202
    assert first.content == second.content == RAW_BODY
    assert second.headers["content-type"] == "application/x-ledger"
    # Every header, repeated ones (two cookies) and their order included, plus the marker.
    assert second.headers.raw == [*first.headers.raw, (b"idempotent-replayed", b"true")]
    assert len(second.headers.get_list("set-cookie")) == 2
    assert service.runs("raw") == 1


async def test_a_streamed_answer_is_stored_whole(
    service: Service, client: httpx.AsyncClient
) -> None:
    first = await client.post("/stream", headers={"Idempotency-Key": "s"})
    second = await client.post("/stream", headers={"Idempotency-Key": "s"})
    assert first.content.startswith(b"first,") and first.content.endswith(b",last")
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert service.runs("stream") == 1


async def test_hop_by_hop_headers_are_not_stored(build: Callable[..., Service]) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"text/plain"), (b"connection", b"close"), (b"x-a", b"1")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    store = SqliteIdempotencyStore(":memory:")
    wrapped = IdempotencyMiddleware(app, store=store)
    transport = httpx.ASGITransport(app=wrapped)
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
        await client.post("/", headers={"Idempotency-Key": "h"})
        replay = await client.post("/", headers={"Idempotency-Key": "h"})
    assert replay.headers.raw == [
        (b"content-type", b"text/plain"),
        (b"x-a", b"1"),
        (b"idempotent-replayed", b"true"),
    ]


async def test_distinct_keys_are_distinct_requests(
    service: Service, client: httpx.AsyncClient
) -> None:
    first = await charge(client, "k-1")
    second = await charge(client, "k-2")
    assert first.json()["id"] != second.json()["id"]
    assert service.runs() == 2


async def test_patch_is_guarded_and_get_passes_through(
    service: Service, client: httpx.AsyncClient
) -> None:
    for _ in range(2):
        await client.patch("/charges/c1", headers={"Idempotency-Key": "p"})
        await client.get("/ping", headers={"Idempotency-Key": "p"})
    assert service.runs("amend") == 1
    assert service.runs("ping") == 2


async def test_requests_without_a_key_run_every_time(
    service: Service, client: httpx.AsyncClient
) -> None:
    await charge(client, key=None)
    await charge(client, key=None)
    assert service.runs() == 2


async def test_the_methods_setting_chooses_what_is_guarded(build: Callable[..., Service]) -> None:
    service = build(methods=["get"])
    async with service.client() as client:
        for _ in range(2):
            await client.get("/ping", headers={"Idempotency-Key": "g"})
            await charge(client)
    assert service.runs("ping") == 1
    assert service.runs() == 2


async def test_a_quoted_key_is_the_same_key(service: Service, client: httpx.AsyncClient) -> None:
    await charge(client, "abc")
    replay = await charge(client, '"abc"')
    assert replay.headers["idempotent-replayed"] == "true"
    escaped = await charge(client, r'"a\"b"')
    assert (await charge(client, 'a"b')).content == escaped.content
    assert service.runs() == 2


# --- in progress, mismatch, required --------------------------------------------------------


async def test_a_retry_while_the_first_runs_gets_409(build: Callable[..., Service]) -> None:
    service = build(gated=True)
    async with service.client() as client:
        first = asyncio.create_task(charge(client))
        await service.entered()
        conflict = await charge(client)
        body = problem(conflict, 409)
        assert conflict.headers["retry-after"] == "1"
        assert "Idempotency-Key" in body["detail"] and body["title"] == "Conflict"
        service.gate.set()
        assert (await first).status_code == 201
        replay = await charge(client)
    assert replay.content == (await first).content
    assert service.runs() == 1


async def test_many_simultaneous_requests_with_one_key_run_the_handler_once(
    build: Callable[..., Service],
) -> None:
    service = build(gated=True)
    async with service.client() as client:
        held = asyncio.create_task(charge(client))
        await service.entered()
        others = await asyncio.gather(*(charge(client) for _ in range(20)))
        service.gate.set()
        first = await held
        after = await asyncio.gather(*(charge(client) for _ in range(20)))
    assert {response.status_code for response in others} == {409}
    assert {response.content for response in after} == {first.content}
    assert service.runs() == 1


async def test_many_racing_requests_with_one_new_key_run_the_handler_once(
    service: Service, client: httpx.AsyncClient
) -> None:
    answers = await asyncio.gather(*(charge(client, "race") for _ in range(30)))
    winners = [answer for answer in answers if answer.status_code == 201]
    assert service.runs() == 1
    assert {answer.status_code for answer in answers} <= {201, 409}
    assert len({answer.content for answer in winners}) == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/charges", {"amount": 999}),
        ("POST", "/charges?currency=eur", {"amount": 100}),
        ("POST", "/status/201", {"amount": 100}),
        ("PATCH", "/charges", {"amount": 100}),
    ],
)
async def test_the_key_reused_for_another_request_gets_422(
    service: Service, client: httpx.AsyncClient, method: str, path: str, body: dict[str, int]
) -> None:
    await charge(client)
    reused = await client.request(method, path, json=body, headers={"Idempotency-Key": "k-1"})
    assert problem(reused, 422)["title"] == "Unprocessable Content"
    assert service.runs() == 1
    assert service.effects == ["charge"]


async def test_a_mismatch_while_in_progress_is_422_not_409(build: Callable[..., Service]) -> None:
    service = build(gated=True)
    async with service.client() as client:
        first = asyncio.create_task(charge(client))
        await service.entered()
        problem(await charge(client, amount=5), 422)
        service.gate.set()
        await first
    assert service.runs() == 1


async def test_a_required_key_that_is_missing_gets_400_naming_the_header(
    build: Callable[..., Service],
) -> None:
    service = build(required=True, header="X-Request-Key")
    async with service.client() as client:
        missing = await charge(client, key=None)
        other_name = await charge(client, key="k")  # Idempotency-Key is not the header here
        ping = await client.get("/ping")
        keyed = await client.post("/charges", json={"amount": 1}, headers={"X-Request-Key": "k"})
    assert "X-Request-Key" in problem(missing, 400)["detail"]
    problem(other_name, 400)
    assert ping.status_code == 200 and keyed.status_code == 201
    assert service.runs() == 1


@pytest.mark.parametrize(
    "key",
    ["", "   ", "x" * 256, "caf\u00e9", "tab\tinside", "\x7f", '"unterminated\\"', '"a"b"'],
    ids=["empty", "blank", "too-long", "non-ascii", "control", "delete", "bad-escape", "quote"],
)
async def test_a_malformed_key_gets_400(
    service: Service, client: httpx.AsyncClient, key: str
) -> None:
    headers = [("Idempotency-Key", key.encode("latin-1"))]
    response = await client.post("/charges", json={"amount": 1}, headers=headers)
    assert "Idempotency-Key" in problem(response, 400)["detail"]
    assert service.runs() == 0


async def test_the_key_may_not_appear_twice(service: Service, client: httpx.AsyncClient) -> None:
    headers = [("Idempotency-Key", "a"), ("Idempotency-Key", "a")]
    problem(await client.post("/charges", json={"amount": 1}, headers=headers), 400)
    assert service.runs() == 0


@pytest.mark.parametrize("key", ["x", "x" * 255, "~!@#$%^&*() []{};:'<>,./?\\|`=+-_"])
async def test_keys_of_1_to_255_printable_characters_are_accepted(
    service: Service, client: httpx.AsyncClient, key: str
) -> None:
    assert (await charge(client, key)).status_code == 201
    assert (await charge(client, key)).headers["idempotent-replayed"] == "true"


async def test_keys_are_looked_up_per_scope(build: Callable[..., Service]) -> None:
    service = build(scope=lambda scope: dict(scope["headers"]).get(b"x-user", b"").decode())
    async with service.client() as client:

        def as_user(user: str, amount: int) -> Coroutine[Any, Any, httpx.Response]:
            headers = {"x-user": user, "Idempotency-Key": "same"}
            return client.post("/charges", json={"amount": amount}, headers=headers)

        alice = await as_user("alice", 1)
        bob = await as_user("bob", 2)
        again = await as_user("alice", 1)
    assert alice.status_code == bob.status_code == 201  # not 422: bob's key is bob's
    assert again.content == alice.content and again.headers["idempotent-replayed"] == "true"
    assert service.runs() == 2


# --- which answers are final ----------------------------------------------------------------


async def test_a_handler_exception_propagates_and_releases_the_key(
    service: Service, client: httpx.AsyncClient
) -> None:
    for attempt in (1, 2):
        with pytest.raises(RuntimeError, match="the handler failed"):
            await client.post("/crash", headers={"Idempotency-Key": "c"})
        assert service.runs("crash") == attempt


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
async def test_server_errors_and_come_back_later_answers_are_not_stored(
    service: Service, client: httpx.AsyncClient, status: int
) -> None:
    first = await client.post(f"/status/{status}", headers={"Idempotency-Key": "e"})
    second = await client.post(f"/status/{status}", headers={"Idempotency-Key": "e"})
    assert first.status_code == second.status_code == status
    assert first.json()["nonce"] != second.json()["nonce"]
    assert "idempotent-replayed" not in second.headers
    assert service.runs(f"status {status}") == 2


@pytest.mark.parametrize("status", [200, 201, 301, 400, 404, 409, 422])
async def test_judged_answers_are_stored(
    service: Service, client: httpx.AsyncClient, status: int
) -> None:
    first = await client.post(f"/status/{status}", headers={"Idempotency-Key": "j"})
    second = await client.post(f"/status/{status}", headers={"Idempotency-Key": "j"})
    assert first.status_code == second.status_code == status
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"
    assert service.runs(f"status {status}") == 1


async def test_a_store_failure_propagates_unchanged(build: Callable[..., Service]) -> None:
    class BrokenStore(SqliteIdempotencyStore):
        def begin(self, key: str, fingerprint: str, *, now: float, lock_until: float) -> Any:
            raise sqlite3.OperationalError("database is locked")

    service = build(store=BrokenStore(":memory:"))
    async with service.client() as client:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            await charge(client)
    assert service.runs() == 0


# --- bodies ---------------------------------------------------------------------------------


async def test_a_body_over_max_body_gets_413_without_running_the_handler(
    build: Callable[..., Service],
) -> None:
    service = build(max_body=64)
    async with service.client() as client:
        over = await client.post("/charges", content=b"x" * 65, headers={"Idempotency-Key": "b"})

        async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
            for _ in range(5):
                yield b"y" * 20

        streamed = await client.post(
            "/charges", content=chunked(), headers={"Idempotency-Key": "b"}
        )
        exact = json.dumps({"amount": 1}).encode().ljust(64)
        fits = await client.post("/charges", content=exact, headers={"Idempotency-Key": "b"})
        unkeyed = await client.post("/charges", json={"amount": 1, "pad": "z" * 100})
    assert "64 bytes" in problem(over, 413)["detail"]
    assert problem(streamed, 413)["title"] == "Content Too Large"
    assert "content-length" not in streamed.request.headers
    assert fits.status_code == 201
    assert unkeyed.status_code == 201  # the limit is for keyed requests, whose body is hashed
    assert service.runs() == 2


async def test_a_declared_length_over_max_body_is_refused_before_reading_the_body() -> None:
    async def unread(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the handler must not run")

    async def receive() -> dict[str, Any]:
        raise AssertionError("the body must not be read")

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    wrapped = IdempotencyMiddleware(unread, store=SqliteIdempotencyStore(":memory:"), max_body=10)
    headers = [(b"idempotency-key", b"k"), (b"content-length", b"11")]
    await wrapped(
        {"type": "http", "method": "POST", "path": "/", "headers": headers}, receive, send
    )
    assert sent[0]["status"] == 413


async def test_the_handler_reads_the_body_the_middleware_read(
    service: Service, client: httpx.AsyncClient
) -> None:
    response = await charge(client, amount=4321)
    assert response.json()["amount"] == 4321


# --- time: crash recovery and expiry --------------------------------------------------------


async def test_a_lock_left_by_a_crashed_request_is_taken_over_after_the_lock_timeout(
    service: Service, client: httpx.AsyncClient
) -> None:
    body = b'{"amount": 100}'
    # A first request locked the key, then its process died: nothing will complete or release it.
    locked = service.store.begin(
        "k-1", fingerprint("POST", "/charges", b"", body), now=START, lock_until=START + 60
    )
    assert locked.outcome is Outcome.STARTED

    async def retry() -> httpx.Response:
        return await client.post("/charges", content=body, headers={"Idempotency-Key": "k-1"})

    service.clock.now = START + LOCK_TIMEOUT - 0.001
    problem(await retry(), 409)
    assert service.runs() == 0
    service.clock.now = START + LOCK_TIMEOUT
    taken = await retry()
    assert taken.status_code == 201 and "idempotent-replayed" not in taken.headers
    assert (await retry()).content == taken.content
    assert service.runs() == 1


async def test_a_handler_slower_than_the_lock_timeout_is_answered_but_not_stored(
    build: Callable[..., Service], caplog: pytest.LogCaptureFixture
) -> None:
    service = build(gated=True)
    async with service.client() as client:
        slow = asyncio.create_task(charge(client))
        await service.entered()
        service.clock.now = START + LOCK_TIMEOUT + 1
        service.gated = False
        takeover = await charge(client)
        service.gate.set()
        late = await slow
        replay = await charge(client)
    assert late.status_code == takeover.status_code == 201
    assert replay.content == takeover.content != late.content
    assert service.runs() == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "taken over" in warnings[0].getMessage()


async def test_answers_expire_after_ttl(service: Service, client: httpx.AsyncClient) -> None:
    first = await charge(client)
    service.clock.now = START + TTL - 0.001
    assert (await charge(client)).content == first.content
    service.clock.now = START + TTL
    fresh = await charge(client)
    assert fresh.status_code == 201 and fresh.content != first.content
    assert "idempotent-replayed" not in fresh.headers
    assert service.runs() == 2


async def test_an_expired_key_may_be_reused_for_another_request(
    service: Service, client: httpx.AsyncClient
) -> None:
    await charge(client, amount=1)
    service.clock.now = START + TTL
    assert (await charge(client, amount=2)).status_code == 201
    assert service.runs() == 2


# --- settings -------------------------------------------------------------------------------


async def _noop(scope: Any, receive: Any, send: Any) -> None:
    return None


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("ttl", 0, "ttl must be > 0"),
        ("ttl", -1.0, "ttl must be > 0"),
        ("ttl", math.inf, "ttl must be > 0 seconds and finite"),
        ("ttl", math.nan, "ttl must be > 0"),
        ("lock_timeout", 0, "lock_timeout must be > 0"),
        ("methods", ("POST", "FETCH"), "FETCH"),
        ("methods", (), "none given"),
        ("methods", "POST", "collection of names"),
        ("header", "", "header must be a non-empty HTTP header name"),
        ("header", "Idempotency Key", "header must be"),
        ("max_body", -1, "max_body must be an int >= 0"),
        ("max_body", 1.5, "max_body must be an int >= 0"),
        ("store", None, "store must be an IdempotencyStore"),
        ("store", object(), "store must be an IdempotencyStore"),
        ("clock", 3.0, "clock must be callable"),
        ("scope", "user", "scope must be callable"),
    ],
)
def test_bad_settings_fail_at_construction(setting: str, value: Any, message: str) -> None:
    settings: dict[str, Any] = {"store": SqliteIdempotencyStore(":memory:"), setting: value}
    with pytest.raises(ConfigurationError, match=message):
        IdempotencyMiddleware(_noop, **settings)


async def test_non_http_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    wrapped = IdempotencyMiddleware(app, store=SqliteIdempotencyStore(":memory:"), required=True)
    await wrapped({"type": "lifespan"}, _body(b""), _discard)
    await wrapped({"type": "websocket", "headers": []}, _body(b""), _discard)
    assert seen == ["lifespan", "websocket"]


def _body(body: bytes) -> Any:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _discard(message: Any) -> None:
    return None


class _CompleteFails(SqliteIdempotencyStore):
    """A store that dies between the handler's answer and storing it."""

    def complete(self, *args: Any, **kwargs: Any) -> bool:
        raise sqlite3.OperationalError("disk I/O error")


async def test_a_failed_store_keeps_the_key_locked_rather_than_run_the_handler_again(
    build: Callable[..., Service], tmp_path: Path
) -> None:
    """The handler's effect has happened: releasing the key would let a retry run it again at
    once. The lock stays, and a retry is told the request is in progress."""
    service = build(store=_CompleteFails(tmp_path / "failing.db"))
    transport = httpx.ASGITransport(app=service.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        await charge(client)
        retry = await charge(client)
    assert service.runs() == 1
    problem(retry, 409)
