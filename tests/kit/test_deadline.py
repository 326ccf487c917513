"""Deadlines: the contextvar (nesting, reset, isolation between tasks and threads), the
per-attempt timeout, the header both ways, and DeadlineMiddleware in front of a FastAPI app,
in process (httpx.ASGITransport) and served by a real uvicorn process on loopback."""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from stormproof.kit.deadline import (
    HEADER,
    DeadlineMiddleware,
    check,
    deadline,
    detached,
    from_headers,
    remaining,
    timeout_for,
    to_headers,
)
from stormproof.kit.errors import ConfigurationError, DeadlineExceededError

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 15.0


class FakeClock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [0, 0.0, -1.0, math.nan, math.inf, -math.inf, "2", True, None])
def test_a_deadline_must_be_a_finite_positive_number_of_seconds(seconds: Any) -> None:
    with pytest.raises(ConfigurationError, match="deadline seconds must be a finite number"):
        deadline(seconds)


@pytest.mark.parametrize("default", [0, -0.5, math.nan, math.inf, "5"])
def test_timeout_for_needs_a_positive_default(default: Any) -> None:
    with pytest.raises(ConfigurationError, match="default timeout"):
        timeout_for(default)


@pytest.mark.parametrize("min_seconds", [-0.1, math.nan, math.inf, "1"])
def test_check_needs_a_non_negative_min_seconds(min_seconds: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"min_seconds .* at least 0"):
        check(min_seconds)


# --- the contextvar -------------------------------------------------------------------------


def test_without_a_deadline_everything_passes_through() -> None:
    assert remaining() is None
    check(min_seconds=1000.0)
    assert timeout_for(5.0) == 5.0
    assert to_headers() == {}


def test_a_deadline_counts_down_and_caps_each_attempts_timeout() -> None:
    clock = FakeClock()
    with deadline(2.0, clock=clock) as current:
        assert current is not None and current.expires_at == 102.0
        assert remaining() == 2.0
        clock.now += 0.5
        assert remaining() == 1.5
        assert timeout_for(5.0) == 1.5
        assert timeout_for(1.0) == 1.0
        check(min_seconds=1.5)
        assert to_headers() == {HEADER: "1500"}
        clock.now += 0.0004  # 1499.6 ms left: rounded down, never up
        assert to_headers() == {HEADER: "1499"}
        clock.now += 1.4992  # 0.4 ms left
        assert to_headers() == {HEADER: "0"}
    assert remaining() is None


def test_a_passed_deadline_raises_saying_how_long_ago() -> None:
    clock = FakeClock()
    with deadline(1.0, clock=clock):
        clock.now += 1.25
        with pytest.raises(DeadlineExceededError, match=r"passed 0\.250s ago") as raised:
            check()
        assert isinstance(raised.value, TimeoutError)
        with pytest.raises(DeadlineExceededError, match="passed"):
            timeout_for(5.0)
        assert remaining() == pytest.approx(-0.25)
        assert to_headers() == {HEADER: "0"}
        clock.now -= 0.25  # exactly at the deadline: passed, not "0 s left"
        with pytest.raises(DeadlineExceededError, match=r"passed 0\.000s ago"):
            timeout_for(5.0)


def test_check_refuses_work_that_needs_more_time_than_is_left() -> None:
    clock = FakeClock()
    with deadline(1.0, clock=clock):
        clock.now += 0.5
        check(min_seconds=0.5)
        with pytest.raises(DeadlineExceededError, match=r"0\.500s left, less than the 0\.600s"):
            check(min_seconds=0.6)


def test_nested_deadlines_the_earlier_wins_and_the_outer_returns() -> None:
    clock = FakeClock()
    with deadline(2.0, clock=clock):
        with deadline(5.0, clock=clock) as inner:  # cannot extend the outer deadline
            assert inner is not None and inner.expires_at == 102.0
            assert remaining() == 2.0
        with deadline(0.5, clock=clock):
            assert remaining() == 0.5
            clock.now += 0.2
            with deadline(1.0, clock=clock):
                assert remaining() == pytest.approx(0.3)
        assert remaining() == pytest.approx(1.8)
    assert remaining() is None


def test_the_deadline_is_reset_when_the_block_raises() -> None:
    with pytest.raises(KeyError), deadline(1.0):
        raise KeyError("x")
    assert remaining() is None


def test_async_with_sets_and_resets() -> None:
    async def scenario() -> None:
        clock = FakeClock()
        async with deadline(3.0, clock=clock):
            await asyncio.sleep(0)
            assert remaining() == 3.0
        assert remaining() is None

    asyncio.run(scenario())


def test_a_scope_cannot_be_entered_twice_at_once_but_can_be_reused() -> None:
    scope = deadline(1.0)
    with scope:
        with pytest.raises(RuntimeError, match="already entered"):
            scope.__enter__()
        assert remaining() is not None
    with scope:
        assert remaining() is not None
    assert remaining() is None


def test_concurrent_tasks_each_keep_their_own_deadline() -> None:
    async def handler(seconds: float, clock: FakeClock, seen: dict[float, list[float]]) -> None:
        async with deadline(seconds, clock=clock):
            for _ in range(5):
                await asyncio.sleep(0)  # interleave with the other handlers
                seen[seconds].append(remaining())  # type: ignore[arg-type]

    async def scenario() -> dict[float, list[float]]:
        clock = FakeClock()
        seen: dict[float, list[float]] = {1.0: [], 2.0: [], 3.0: []}
        await asyncio.gather(*(handler(s, clock, seen) for s in seen))
        assert remaining() is None
        return seen

    seen = asyncio.run(scenario())
    assert seen == {s: [s] * 5 for s in seen}


def test_child_tasks_inherit_the_deadline_and_cannot_change_the_parents() -> None:
    async def child() -> tuple[float | None, float | None]:
        inherited = remaining()
        with deadline(0.5, clock=clock):
            tightened = remaining()
        return inherited, tightened

    async def scenario() -> None:
        async with deadline(2.0, clock=clock):
            assert await asyncio.create_task(child()) == (2.0, 0.5)
            assert await asyncio.to_thread(remaining) == 2.0  # a worker thread sees it too
            assert remaining() == 2.0

    clock = FakeClock()
    asyncio.run(scenario())


def test_threads_each_keep_their_own_deadline() -> None:
    clock = FakeClock()
    both_set = threading.Barrier(2)
    seen: dict[str, float | None] = {}

    def handler(name: str, seconds: float) -> None:
        with deadline(seconds, clock=clock):
            both_set.wait(WAIT_S)
            seen[name] = remaining()
            both_set.wait(WAIT_S)

    def bystander() -> None:
        seen["bystander"] = remaining()

    with deadline(9.0, clock=clock):  # a new thread starts with an empty context
        threads = [
            threading.Thread(target=handler, args=("a", 1.0)),
            threading.Thread(target=handler, args=("b", 2.0)),
            threading.Thread(target=bystander),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT_S)
        assert remaining() == 9.0
    assert seen == {"a": 1.0, "b": 2.0, "bystander": None}


# --- the header -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({HEADER: "1500"}, 1.5),
        ({"x-stormproof-deadline": " 250 "}, 0.25),
        (httpx.Headers({"X-STORMPROOF-DEADLINE": "+30"}), 0.03),
        ({"Other": "1"}, None),
        ({}, None),
    ],
)
def test_from_headers_reads_the_remaining_milliseconds(
    headers: Any, expected: float | None
) -> None:
    clock = FakeClock()
    with from_headers(headers, clock=clock) as current:
        assert remaining() == (None if expected is None else pytest.approx(expected))
        assert (current is None) == (expected is None)
    assert remaining() is None


@pytest.mark.parametrize("value", ["0", "-0", "-250"])
def test_zero_or_negative_milliseconds_give_an_expired_deadline(value: str) -> None:
    with (
        from_headers({HEADER: value}, clock=FakeClock()),
        pytest.raises(DeadlineExceededError, match="passed"),
    ):
        check()


@pytest.mark.parametrize(
    "value", ["abc", "", "1.5", "1e3", "nan", "inf", "0x10", "1_000", "١٢", "9" * 16, "1\n2"]
)
def test_a_malformed_header_is_ignored_with_a_warning(
    value: str, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="stormproof.kit.deadline"),
        from_headers({HEADER: value}) as current,
    ):
        assert current is None
        assert remaining() is None
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert HEADER in caplog.records[0].getMessage()
    assert repr(value[:64]) in caplog.records[0].getMessage()


def test_a_header_cannot_extend_a_deadline_already_in_force() -> None:
    clock = FakeClock()
    with deadline(0.5, clock=clock), from_headers({HEADER: "5000"}, clock=clock):
        assert remaining() == 0.5


def test_the_header_round_trips_through_to_headers() -> None:
    clock = FakeClock()
    with deadline(2.0, clock=clock):
        clock.now += 0.75
        sent = to_headers()
    with from_headers(sent, clock=clock):
        assert remaining() == 1.25


# --- the middleware ---------------------------------------------------------------------------


def build_app() -> FastAPI:
    """The app for the middleware tests; also what the uvicorn subprocess serves."""
    app = FastAPI()
    handled: list[str] = []

    def report(kind: str) -> dict[str, Any]:
        handled.append(kind)
        return {"remaining": remaining(), "forward": to_headers()}

    @app.get("/async")
    async def in_the_event_loop() -> dict[str, Any]:
        return report("async")

    @app.get("/sync")
    def in_a_worker_thread() -> dict[str, Any]:
        return report("sync")

    @app.get("/handled")
    async def count() -> dict[str, int]:
        return {"handled": len(handled)}

    app.add_middleware(DeadlineMiddleware)
    return app


def assert_middleware_behaviour(client: httpx.Client | _SyncASGIClient) -> None:
    """The same expectations, in process and over a real socket."""
    for path in ("/async", "/sync"):
        answer = client.get(path, headers={HEADER: "2000"})
        assert answer.status_code == 200
        left = answer.json()["remaining"]
        assert 0 < left <= 2.0
        forwarded = int(answer.json()["forward"][HEADER])
        assert 0 <= forwarded <= 2000

        answer = client.get(path)
        assert answer.status_code == 200
        assert answer.json() == {"remaining": None, "forward": {}}

        answer = client.get(path, headers={HEADER: "not a number"})
        assert answer.status_code == 200
        assert answer.json()["remaining"] is None

    handled = client.get("/handled").json()["handled"]
    for value in ("0", "-40"):
        answer = client.get("/async", headers={HEADER: value})
        assert answer.status_code == 504
        assert answer.headers["content-type"] == "application/json"
        assert "deadline exceeded" in answer.json()["detail"]
        assert "passed" in answer.json()["detail"]
    assert client.get("/handled").json()["handled"] == handled  # the app never saw them


class _SyncASGIClient:
    """httpx's ASGITransport is async only; run each request on a fresh event loop."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self._app)
            async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
                return await client.get(path, headers=headers)

        return asyncio.run(fetch())


def test_middleware_in_process(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="stormproof.kit.deadline"):
        assert_middleware_behaviour(_SyncASGIClient(build_app()))
    assert any("'not a number'" in r.getMessage() for r in caplog.records)


def test_middleware_passes_other_scopes_through_untouched() -> None:
    seen: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope)

    scope = {"type": "lifespan", "headers": [(HEADER.encode(), b"0")]}
    asyncio.run(DeadlineMiddleware(app)(scope, None, None))  # type: ignore[arg-type]
    assert seen == [scope]


def test_middleware_refuses_a_clock_that_is_not_callable() -> None:
    with pytest.raises(ConfigurationError, match="clock must be a callable"):
        DeadlineMiddleware(build_app(), clock=1.0)  # type: ignore[arg-type]


def test_middleware_uses_the_injected_clock() -> None:
    """The deadline starts when the request is read: a clock that jumps a second between
    reading the header and the check makes a 500 ms budget arrive expired."""
    ticks = itertools.chain([0.0], itertools.repeat(1.0))
    statuses: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("an expired request must not reach the app")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    middleware = DeadlineMiddleware(app, clock=lambda: next(ticks))
    scope = {"type": "http", "headers": [(b"x-stormproof-deadline", b"500")]}
    asyncio.run(middleware(scope, None, send))  # type: ignore[arg-type]
    assert statuses == [504]


SERVE = """
import logging, socket, sys, uvicorn
from tests.kit.test_deadline import build_app
logging.basicConfig(level=logging.WARNING)  # the kit's logger has only a NullHandler
listener = socket.socket(fileno=int(sys.argv[1]))
uvicorn.Server(uvicorn.Config(build_app(), log_level="warning", lifespan="off")).run(
    sockets=[listener]
)
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A real uvicorn process serving build_app() on a loopback socket this test bound (so no
    port can be taken in between); yields its base URL and the file its stderr goes to."""
    listener = socket.create_server(("127.0.0.1", 0))
    stderr_path = tmp_path_factory.mktemp("uvicorn") / "stderr.txt"
    with stderr_path.open("wb") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(listener.fileno())],
            pass_fds=(listener.fileno(),),
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stderr=stderr,
        )
    port = listener.getsockname()[1]
    listener.close()  # the child holds its own copy; connections queue until it accepts
    try:
        yield f"http://127.0.0.1:{port}", stderr_path
    finally:
        server.terminate()
        try:
            server.wait(WAIT_S)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(WAIT_S)


def test_middleware_in_a_real_uvicorn_process(served: tuple[str, Path]) -> None:
    base_url, stderr_path = served
    with httpx.Client(base_url=base_url, timeout=WAIT_S) as client:
        assert_middleware_behaviour(client)
    give_up = time.monotonic() + WAIT_S
    while "'not a number'" not in stderr_path.read_text():
        assert time.monotonic() < give_up, stderr_path.read_text()
        time.sleep(0.02)


def test_detached_lifts_every_deadline_for_its_block_and_restores_it_after() -> None:
    with deadline(0.001) as outer:
        time.sleep(0.01)
        with detached():
            assert remaining() is None
            check()  # the caller's passed deadline no longer applies
            with deadline(60.0) as inner:
                assert inner is not None and 59 < inner.remaining() <= 60
        assert outer is not None and remaining() is not None and remaining() < 0
        with pytest.raises(DeadlineExceededError):
            check()
