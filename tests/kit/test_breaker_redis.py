"""CircuitBreaker with its state shared in Redis, against a real redis-server the tests start
(``tests/servers/redis_server.py``): breakers in one process and in several share one state,
counted exactly and timed by the server's clock; when Redis dies or hangs, each breaker
carries on with state of its own, and shares again once Redis is back. The tests skip,
saying why, without redis-server or the redis package.

Waiting for ``open_for`` to pass on the Redis clock takes real time: those tests use short
periods and poll (``eventually``), never a fixed sleep."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stormproof.kit import CircuitOpenError, CircuitState, RedisBreakerState
from stormproof.kit.breaker import CircuitBreaker
from tests.servers.redis_server import Unavailable, redis_server

redis = pytest.importorskip("redis", reason="the redis package is not installed")

CLOSED, OPEN, HALF_OPEN = CircuitState.CLOSED, CircuitState.OPEN, CircuitState.HALF_OPEN
ROOT = Path(__file__).resolve().parents[2]
PATIENCE_S = 10.0


class Boom(Exception):
    pass


class Clock:
    """Time that moves only when a test moves it (the breaker's own clock: call durations
    and when to ask Redis again; the shared state runs on the Redis server's)."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    try:
        with redis_server() as url:
            yield url
    except Unavailable as why:
        pytest.skip(f"no Redis server: {why}")


@pytest.fixture
def shared(redis_url: str) -> RedisBreakerState:
    """A fresh database for each test."""
    state = RedisBreakerState(redis_url)
    state.client.flushdb()
    return state


class Server:
    """A redis-server of one test's own, to kill and to start again on the same port."""

    def __init__(self) -> None:
        self.stack = contextlib.ExitStack()
        try:
            self.url = self.stack.enter_context(redis_server())
        except Unavailable as why:
            pytest.skip(f"no Redis server: {why}")
        self.admin = redis.Redis.from_url(self.url, socket_timeout=5)

    def kill(self) -> None:
        self.admin.shutdown(nosave=True)

    def start_again(self) -> None:
        """A new, empty server on the same port, for the breaker's client to find it."""
        port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        assert self.stack.enter_context(redis_server(port)) == self.url


@pytest.fixture
def own_redis() -> Iterator[Server]:
    server = Server()
    yield server
    server.stack.close()


def make(shared: RedisBreakerState, clock: Clock | None = None, **settings: Any) -> CircuitBreaker:
    defaults: dict[str, Any] = {"window_size": 10, "minimum_calls": 4, "shared": shared}
    if clock is not None:
        defaults["clock"] = clock
    return CircuitBreaker("payments", **(defaults | settings))


def succeed(breaker: CircuitBreaker, n: int = 1) -> None:
    for _ in range(n):
        assert breaker.call(lambda: "ok") == "ok"


def fail(breaker: CircuitBreaker, n: int = 1) -> None:
    for _ in range(n):
        with pytest.raises(Boom):
            breaker.call(raise_, Boom())


def raise_(error: BaseException) -> None:
    raise error


def eventually(condition: Callable[[], bool]) -> None:
    """Poll until ``condition()`` holds (the Redis clock moves on its own)."""
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def heard(breaker: CircuitBreaker) -> list[tuple[CircuitState, CircuitState]]:
    changes: list[tuple[CircuitState, CircuitState]] = []
    breaker.on_state_change(lambda name, old, new: changes.append((old, new)))
    return changes


# -- one breaker across breakers ------------------------------------------------------------------


def test_failures_recorded_by_one_breaker_open_the_other(shared: RedisBreakerState) -> None:
    a, b = make(shared), make(shared)
    b_heard = heard(b)
    succeed(b, 2)
    fail(a, 2)  # 2 of 4 = 50%
    assert b_heard == []
    metrics = b.metrics()
    assert (metrics.state, metrics.calls, metrics.failures) == (OPEN, 4, 2)
    assert b_heard == [(CLOSED, OPEN)]  # seen at b's next look
    with pytest.raises(CircuitOpenError) as refused:
        b.call(lambda: "never")
    assert str(refused.value).startswith(
        "circuit 'payments' is open: 2 of 4 recent calls failed (50% >= 50%); next trial in"
    )
    metrics = a.metrics()
    assert metrics.shared and (metrics.state, metrics.not_permitted) == (OPEN, 1)
    assert metrics.transitions == {(CLOSED, OPEN): 1}
    assert repr(a) == "<CircuitBreaker 'payments' open (shared)>"


def test_the_shared_count_window_judges_like_the_local_one(shared: RedisBreakerState) -> None:
    """One random run of outcomes, fast and slow, through a local breaker and through two
    shared ones taking turns: the same metrics after every call, through many turns of the
    window, until the breaker opens."""
    clock, chance = Clock(), random.Random(7)
    settings: dict[str, Any] = {
        "window_size": 7,
        "minimum_calls": 5,
        "failure_rate": 0.6,
        "slow_call_rate": 0.6,
        "slow_call_duration": 1.0,
        "open_for": 60.0,
        "clock": clock,
    }
    local = CircuitBreaker("payments", **settings)
    pair = [make(shared, **settings), make(shared, **settings)]
    for i in range(150):
        error = Boom() if chance.random() < 0.3 else None
        took = 2.0 if chance.random() < 0.2 else 0.5
        breakers = (local, pair[i % 2])
        for breaker in breakers:
            with contextlib.suppress(Boom, CircuitOpenError), breaker:
                clock.now += took
                if error is not None:
                    raise error
        expected, got = local.metrics(), pair[(i + 1) % 2].metrics()
        assert (got.state, got.calls, got.failures, got.slow_calls, got.failure_rate) == (
            expected.state,
            expected.calls,
            expected.failures,
            expected.slow_calls,
            expected.failure_rate,
        ), f"after call {i}"
        if expected.state is OPEN:
            assert got.transitions == expected.transitions
            assert i > 3 * settings["window_size"], "too short a run: pick another seed"
            return
    pytest.fail("the run never opened the breaker: pick another seed")


def test_a_shared_time_window_counts_the_calls_of_every_breaker(shared: RedisBreakerState) -> None:
    a, b = make(shared, window="time", window_size=60), make(shared, window="time", window_size=60)
    succeed(a, 2)
    fail(b)
    assert (a.metrics().calls, a.metrics().failures, a.state) == (3, 1, CLOSED)
    fail(a)
    assert b.state is OPEN


def test_a_shared_time_window_forgets_the_seconds_that_left_it(
    shared: RedisBreakerState,
) -> None:
    breaker = make(shared, window="time", window_size=1)
    fail(breaker, 3)
    eventually(lambda: breaker.metrics().calls == 0)  # by the next second of the Redis clock
    fail(breaker)
    assert (breaker.state, breaker.metrics().calls) == (CLOSED, 1)


def test_half_open_admits_n_trial_calls_across_breakers(shared: RedisBreakerState) -> None:
    # open_for is also how long trial calls may take before they are given up: ample here.
    a, b = (make(shared, open_for=0.5, half_open_calls=3) for _ in range(2))
    fail(a, 4)
    eventually(lambda: b.state is HALF_OPEN)
    trials = [a.guard(), b.guard(), a.guard()]
    for trial in trials:
        trial.__enter__()
    for breaker in (a, b):
        with pytest.raises(CircuitOpenError, match="is half-open: all 3 trial calls are in flight"):
            succeed(breaker)
    for trial in trials:
        trial.__exit__(None, None, None)
    assert a.state is b.state is CLOSED
    assert a.metrics().calls == 0  # the window that opened it is gone
    assert a.metrics().not_permitted == 2


def test_open_for_runs_on_the_redis_clock_whatever_each_process_clock_says(
    shared: RedisBreakerState,
) -> None:
    """Two breakers whose own clocks disagree by ten days, and never move: both refuse for
    open_for, then both let trial calls through, by the server's clock."""
    early, late = Clock(0.0), Clock(864_000.0)
    a, b = make(shared, early, open_for=0.5), make(shared, late, open_for=0.5)
    fail(a, 4)
    for breaker in (a, b):
        with pytest.raises(CircuitOpenError) as refused:
            succeed(breaker)
        wait = float(str(refused.value).rsplit("next trial in ", 1)[1].removesuffix(" s"))
        assert 0 <= wait <= 0.5
    eventually(lambda: a.state is HALF_OPEN)
    succeed(b, 5)
    assert a.state is CLOSED


def test_a_result_from_before_a_state_change_elsewhere_is_not_counted(
    shared: RedisBreakerState,
) -> None:
    a, b = (make(shared, open_for=0.05, half_open_calls=2) for _ in range(2))
    with pytest.raises(Boom), a:  # let through while CLOSED; ends while HALF_OPEN
        fail(b, 4)
        eventually(lambda: b.state is HALF_OPEN)
        succeed(b)
        raise Boom
    metrics = b.metrics()
    assert (metrics.state, metrics.calls, metrics.failures) == (HALF_OPEN, 1, 0)
    succeed(a)
    assert b.state is CLOSED


def test_trial_permits_of_a_process_that_died_are_given_up_after_open_for(
    shared: RedisBreakerState, redis_url: str
) -> None:
    """A process takes every trial permit and dies: open_for after the last was taken, the
    breaker opens again, then tries again with permits for the living."""
    breaker = make(shared, open_for=0.5, half_open_calls=2)
    fail(breaker, 4)
    eventually(lambda: breaker.state is HALF_OPEN)
    run_process(
        redis_url,
        """
        import os
        breaker = make(open_for=0.5, half_open_calls=2)
        breaker.guard().__enter__(), breaker.guard().__enter__()
        os._exit(0)  # dies holding both
        """,
    )
    with pytest.raises(CircuitOpenError, match="all 2 trial calls are in flight"):
        succeed(breaker)

    def reopened() -> bool:
        with contextlib.suppress(CircuitOpenError):
            succeed(breaker)
        return breaker.metrics().transitions.get((HALF_OPEN, OPEN)) == 1

    eventually(reopened)
    with pytest.raises(CircuitOpenError, match=r"trial calls had not all finished 0\.5 s after"):
        succeed(breaker)
    eventually(lambda: breaker.state is HALF_OPEN)
    succeed(breaker, 2)
    assert breaker.state is CLOSED


@pytest.fixture
def racy() -> Iterator[None]:
    """Switch threads as often as the interpreter can, to provoke races."""
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(switching)


@pytest.mark.usefixtures("racy")
def test_concurrent_calls_of_two_breakers_are_all_counted(shared: RedisBreakerState) -> None:
    """Four threads on each of two breakers, each thread 250 calls, one in two failing."""
    breakers = [
        make(shared, window_size=4000, minimum_calls=4000, failure_rate=1.0) for _ in range(2)
    ]

    def hammer(breaker: CircuitBreaker) -> None:
        for i in range(250):
            with contextlib.suppress(Boom):
                breaker.call(raise_ if i % 2 else str, Boom())

    threads = [threading.Thread(target=hammer, args=(b,)) for b in breakers for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    metrics = breakers[0].metrics()
    assert (metrics.calls, metrics.failures, metrics.state) == (2000, 1000, CLOSED)


# -- real processes -------------------------------------------------------------------------------

_PROCESS_PRELUDE = """
import sys
from stormproof.kit import CircuitBreaker, RedisBreakerState

shared = RedisBreakerState(sys.argv[1])

def make(**settings):
    return CircuitBreaker("payments", **({"window_size": 10, "minimum_calls": 4} | settings),
                          shared=shared)
"""


def start_process(redis_url: str, code: str) -> subprocess.Popen[str]:
    """A Python process running ``code`` with a ``make(**settings)`` of shared breakers."""
    script = _PROCESS_PRELUDE + textwrap.dedent(code)
    return subprocess.Popen(
        [sys.executable, "-c", script, redis_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def run_process(redis_url: str, code: str) -> str:
    process = start_process(redis_url, code)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0, out
    return out


def test_two_processes_share_one_breaker(shared: RedisBreakerState, redis_url: str) -> None:
    """Two processes, each 200 calls, one in two failing, at once: the breaker counts all
    400, and opens at the 400th (50%)."""
    code = """
        breaker = make(window_size=400, minimum_calls=400)
        for i in range(200):
            try:
                breaker.call(lambda: 1 / (i % 2))
            except ZeroDivisionError:
                pass
        """
    processes = [start_process(redis_url, code) for _ in range(2)]
    for process in processes:
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0, out
    here = make(shared, window_size=400, minimum_calls=400)
    metrics = here.metrics()
    assert (metrics.state, metrics.calls, metrics.failures) == (OPEN, 400, 200)
    assert metrics.transitions == {(CLOSED, OPEN): 1}


def test_a_process_sees_the_breaker_another_opened(
    shared: RedisBreakerState, redis_url: str
) -> None:
    here = make(shared)
    changes = heard(here)
    succeed(here)
    out = run_process(
        redis_url,
        """
        breaker = make()
        for _ in range(3):
            try:
                breaker.call(lambda: 1 / 0)
            except ZeroDivisionError:
                pass
        print(breaker.state.value)
        """,
    )
    assert out.strip() == "open"
    with pytest.raises(CircuitOpenError, match="3 of 4 recent calls failed"):
        succeed(here)
    assert changes == [(CLOSED, OPEN)]


# -- keys -----------------------------------------------------------------------------------------


def test_keys_are_named_by_prefix_name_and_window_and_expire(redis_url: str) -> None:
    shared = RedisBreakerState(redis_url, prefix="shop:", ttl=120.0)
    shared.client.flushdb()
    breaker = make(shared, window_size=10)
    fail(breaker)
    assert shared.keys("payments", "count", 10) == (
        "shop:{payments}:count:10",
        "shop:{payments}:count:10:window",
    )
    assert sorted(shared.client.keys("*")) == [
        b"shop:{payments}:count:10",
        b"shop:{payments}:count:10:window",
    ]
    for key in shared.keys("payments", "count", 10):
        assert 0 < shared.client.pttl(key) <= 120_000


def test_breakers_with_different_windows_keep_separate_state(shared: RedisBreakerState) -> None:
    ten, twenty = make(shared, window_size=10), make(shared, window_size=20)
    fail(ten, 4)
    assert ten.state is OPEN
    assert (twenty.state, twenty.metrics().calls) == (CLOSED, 0)
    other = CircuitBreaker("shipping", window_size=10, minimum_calls=4, shared=shared)
    assert other.state is CLOSED


def test_each_process_judges_the_shared_window_by_its_own_thresholds(
    shared: RedisBreakerState,
) -> None:
    strict, lenient = make(shared, failure_rate=0.5), make(shared, failure_rate=0.9)
    fail(lenient, 2)
    succeed(lenient, 2)
    assert lenient.state is CLOSED  # 2 of 4: below 90%
    fail(strict)  # 3 of 5: at least 50%
    with pytest.raises(CircuitOpenError) as refused:
        succeed(lenient)
    assert "3 of 5 recent calls failed and 0 were slow, by the thresholds of the process" in str(
        refused.value
    )


def test_when_the_keys_expire_the_breaker_starts_afresh(shared: RedisBreakerState) -> None:
    short = RedisBreakerState(shared.client, ttl=0.3)
    breaker = make(short, open_for=0.2)
    changes = heard(breaker)
    with pytest.raises(Boom), breaker:  # a call from before the keys expired
        fail(breaker, 4)
        assert breaker.state is OPEN
        eventually(lambda: shared.client.exists(*short.keys("payments", "count", 10)) == 0)
        raise Boom
    metrics = breaker.metrics()
    assert (metrics.state, metrics.calls, metrics.transitions) == (CLOSED, 0, {})
    assert changes == [(CLOSED, OPEN), (OPEN, CLOSED)]


# -- async ----------------------------------------------------------------------------------------


def test_async_callers_share_the_state(shared: RedisBreakerState) -> None:
    a, b = make(shared), make(shared)

    @a
    async def charge(amount: int) -> int:
        if amount < 0:
            raise Boom
        return amount

    async def boom() -> None:
        raise Boom

    async def main() -> None:
        assert await charge(3) == 3
        async with b.guard():
            pass
        with pytest.raises(Boom):
            await charge(-1)
        async with a:
            pass
        with pytest.raises(Boom):
            await charge(-1)
        with pytest.raises(Boom):
            await b.call_async(boom)  # 3 failures of 6 calls: open
        with pytest.raises(CircuitOpenError):
            await charge(1)

    asyncio.run(main())
    assert (b.metrics().calls, b.metrics().failures, b.state) == (6, 3, OPEN)


# -- when Redis fails -----------------------------------------------------------------------------


def test_when_redis_dies_calls_go_on_with_local_state(
    own_redis: Server, caplog: pytest.LogCaptureFixture
) -> None:
    breaker = make(RedisBreakerState(own_redis.url), Clock())
    succeed(breaker, 2)
    own_redis.kill()
    error = Boom()
    with caplog.at_level(logging.WARNING, logger="stormproof.kit.breaker"):
        assert breaker.call(lambda: "still served") == "still served"
        with pytest.raises(Boom) as caught:
            breaker.call(raise_, error)
        assert caught.value is error and caught.value.__context__ is None
        metrics = breaker.metrics()
        assert (metrics.shared, metrics.state, metrics.calls, metrics.failures) == (
            False,
            CLOSED,
            2,
            1,
        )
        fail(breaker, 2)  # 3 of 4 in the local window
        with pytest.raises(CircuitOpenError, match="3 of 4 recent calls failed"):
            succeed(breaker)
    lost = [r for r in caplog.records if "Redis does not answer" in r.getMessage()]
    assert len(lost) == 1  # once per outage, however many calls
    assert "ConnectionError" in lost[0].getMessage()
    assert "closed as last seen" in lost[0].getMessage()


def test_a_breaker_open_in_redis_stays_open_when_redis_dies(own_redis: Server) -> None:
    clock = Clock()
    breaker = make(RedisBreakerState(own_redis.url), clock, open_for=30.0)
    changes = heard(breaker)
    fail(breaker, 4)
    own_redis.kill()
    with pytest.raises(CircuitOpenError) as refused:
        succeed(breaker)
    assert str(refused.value) == (
        "circuit 'payments' is open: it was open in Redis when Redis stopped answering; "
        "next trial in 30.0 s"
    )
    clock.now += 30.0  # on the breaker's clock now
    succeed(breaker, 5)
    assert breaker.state is CLOSED
    assert changes == [(CLOSED, OPEN), (OPEN, HALF_OPEN), (HALF_OPEN, CLOSED)]


def test_when_redis_is_back_the_breaker_is_shared_again(
    own_redis: Server, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    shared = RedisBreakerState(own_redis.url, retry_interval=5.0)
    breaker = make(shared, clock)
    changes = heard(breaker)
    succeed(breaker)
    own_redis.kill()
    fail(breaker, 4)  # the local state opens
    own_redis.start_again()
    clock.now += 4.9
    assert breaker.metrics().shared is False  # not asked again yet
    clock.now += 0.1
    with caplog.at_level(logging.INFO, logger="stormproof.kit.breaker"):
        metrics = breaker.metrics()
    assert (metrics.shared, metrics.state, metrics.calls) == (True, CLOSED, 0)  # a new Redis
    assert any("Redis answers again" in r.getMessage() for r in caplog.records)
    assert changes == [(CLOSED, OPEN), (OPEN, CLOSED)]
    other = make(RedisBreakerState(own_redis.url), Clock())
    fail(breaker, 4)
    assert other.state is OPEN


def test_a_hung_redis_holds_one_call_for_the_timeout_then_none(own_redis: Server) -> None:
    """Redis stops answering: the first call waits the socket timeout, then every call keeps
    to the local state until retry_interval has passed (each try would have reconnected: a
    timed-out connection is dropped; the server counts every connection)."""
    clock = Clock()
    breaker = make(RedisBreakerState(own_redis.url, timeout=0.05), clock)
    succeed(breaker)
    connections = own_redis.admin.info("stats")["total_connections_received"]
    # Scripts may write: a WRITE pause holds them (and lets the admin unpause).
    own_redis.admin.execute_command("CLIENT", "PAUSE", "5000", "WRITE")
    try:
        started = time.monotonic()
        succeed(breaker, 20)
        fail(breaker)
        assert breaker.metrics().shared is False
        assert time.monotonic() - started < 4.0  # sanity: nobody waited out the pause
    finally:
        own_redis.admin.execute_command("CLIENT", "UNPAUSE")
    assert own_redis.admin.info("stats")["total_connections_received"] == connections
    clock.now += 1.0  # retry_interval's default
    assert breaker.metrics().shared is True


def test_a_call_that_straddles_the_fall_back_is_not_counted(own_redis: Server) -> None:
    breaker = make(RedisBreakerState(own_redis.url), Clock())
    with pytest.raises(Boom), breaker:
        own_redis.kill()
        raise Boom
    assert breaker.metrics().calls == 0


# -- clients --------------------------------------------------------------------------------------


def test_a_client_passed_in_is_used_as_it_is(redis_url: str) -> None:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(
        redis_url, socket_timeout=1.0, decode_responses=True, retry=Retry(NoBackoff(), 0)
    )
    client.flushdb()
    shared = RedisBreakerState(client)
    assert shared.client is client
    breaker = make(shared)
    fail(breaker, 4)
    assert breaker.state is OPEN
    assert client.hget("stormproof:breaker:{payments}:count:10", "state") == "1"


def test_the_async_client_asks_a_shared_breaker_off_the_event_loop(
    shared: RedisBreakerState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each attempt's acquire and release are Redis round trips: the AsyncClient makes them
    in worker threads, never on the loop (where a slow Redis would stall every task)."""
    import httpx

    from stormproof.kit import AsyncClient

    breaker = make(shared)
    store = type(breaker._store)
    threads: list[tuple[str, int]] = []
    for step in ("acquire", "release"):
        original = getattr(store, step)

        def spy(self: Any, *args: Any, _step: str = step, _original: Any = original) -> Any:
            threads.append((_step, threading.get_ident()))
            return _original(self, *args)

        monkeypatch.setattr(store, step, spy)

    async def main() -> int:
        transport = httpx.MockTransport(
            lambda request: httpx.Response(503 if not threads[2:] else 200)
        )
        async with AsyncClient(
            "payments", base_url="http://payments", breaker=breaker, transport=transport
        ) as client:
            response = await client.get("/charges/1")
        assert {ident for _, ident in threads}.isdisjoint({threading.get_ident()})
        return response.status_code

    assert asyncio.run(main()) == 200
    assert [step for step, _ in threads] == ["acquire", "release"] * 2
