"""CircuitBreaker: resilience4j's state machine, driven by an injected clock."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import math
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stormproof.kit.breaker import CircuitBreaker, CircuitGuard, CircuitMetrics, CircuitState
from stormproof.kit.errors import CircuitOpenError, ConfigurationError

CLOSED, OPEN, HALF_OPEN = CircuitState.CLOSED, CircuitState.OPEN, CircuitState.HALF_OPEN


class Clock:
    """Time that moves only when a test moves it."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Boom(Exception):
    pass


def in_event_loop(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    @functools.wraps(test)
    def run() -> None:
        asyncio.run(test())

    return run


def make(clock: Clock, **settings: Any) -> CircuitBreaker:
    defaults: dict[str, Any] = {"window_size": 10, "minimum_calls": 4, "clock": clock}
    return CircuitBreaker("payments", **(defaults | settings))


def succeed(breaker: CircuitBreaker, n: int = 1) -> None:
    for _ in range(n):
        assert breaker.call(lambda: "ok") == "ok"


def fail(breaker: CircuitBreaker, n: int = 1, error: type[BaseException] = Boom) -> None:
    for _ in range(n):
        with pytest.raises(error):
            breaker.call(raise_, error())


def raise_(error: BaseException) -> None:
    raise error


def taking(clock: Clock, seconds: float, error: BaseException | None = None) -> Callable[[], None]:
    """A call that lasts ``seconds`` on the test clock, then returns or raises."""

    def call() -> None:
        clock.now += seconds
        if error is not None:
            raise error

    return call


def trip(breaker: CircuitBreaker, clock: Clock) -> None:
    fail(breaker, 4)
    assert breaker.state is OPEN


# -- the closed state and its windows -------------------------------------------------------------


def test_the_breaker_opens_when_the_failure_rate_reaches_the_threshold() -> None:
    breaker = make(Clock(), minimum_calls=6)
    succeed(breaker, 3)
    fail(breaker, 2)
    assert breaker.state is CLOSED  # 2 of 5: below minimum_calls, and below 50%
    fail(breaker)
    assert breaker.state is OPEN  # 3 of 6 = 50%


def test_below_minimum_calls_even_all_failures_do_not_open_it() -> None:
    breaker = make(Clock(), minimum_calls=5)
    fail(breaker, 4)
    metrics = breaker.metrics()
    assert (metrics.state, metrics.calls, metrics.failures) == (CLOSED, 4, 4)
    assert metrics.failure_rate is None and metrics.slow_call_rate is None
    fail(breaker)
    assert breaker.state is OPEN


def test_a_failure_rate_below_the_threshold_keeps_it_closed() -> None:
    breaker = make(Clock(), failure_rate=0.6)
    for _ in range(20):
        succeed(breaker)
        fail(breaker)
    metrics = breaker.metrics()
    assert (metrics.state, metrics.calls, metrics.failure_rate) == (CLOSED, 10, 0.5)


def test_the_count_window_forgets_the_oldest_outcomes() -> None:
    breaker = make(Clock(), window_size=4, minimum_calls=4, failure_rate=0.75)
    fail(breaker, 2)
    succeed(breaker, 2)
    succeed(breaker, 2)  # the two failures have left the window
    fail(breaker, 2)
    assert breaker.metrics().failure_rate == 0.5
    fail(breaker)
    assert breaker.state is OPEN


def test_the_time_window_forgets_the_calls_of_seconds_past() -> None:
    clock = Clock(0.0)
    breaker = make(clock, window="time", window_size=10, minimum_calls=4)
    fail(breaker, 2)
    clock.now = 10.5  # second 0 has left the window of seconds 1..10
    succeed(breaker, 2)
    assert breaker.metrics().calls == 2
    fail(breaker)
    assert breaker.state is CLOSED  # 1 of 3: below minimum_calls
    fail(breaker)
    assert breaker.state is OPEN  # 2 of 4 in the window


def test_the_time_window_opens_on_failures_spread_across_its_seconds() -> None:
    clock = Clock(0.0)
    breaker = make(clock, window="time", window_size=10, minimum_calls=4, failure_rate=0.75)
    for second, outcome in ((0.0, fail), (3.0, fail), (6.0, succeed), (9.9, fail)):
        clock.now = second
        assert breaker.state is CLOSED
        outcome(breaker)
    assert breaker.state is OPEN
    assert breaker.metrics().failures == 3


def test_an_open_time_window_breaker_keeps_reporting_what_opened_it() -> None:
    clock = Clock(0.0)
    breaker = make(clock, window="time", window_size=5, open_for=30.0)
    trip(breaker, clock)
    clock.now = 20.0  # the failures have left the 5-second window
    metrics = breaker.metrics()
    assert (metrics.state, metrics.calls, metrics.failures, metrics.failure_rate) == (
        OPEN,
        4,
        4,
        1.0,
    )
    with pytest.raises(CircuitOpenError, match="4 of 4 recent calls failed"):
        succeed(breaker)


def test_a_time_window_may_need_more_calls_than_a_second_holds() -> None:
    breaker = make(Clock(), window="time", window_size=2, minimum_calls=50)
    fail(breaker, 49)
    assert breaker.state is CLOSED
    fail(breaker)
    assert breaker.state is OPEN


# -- slow calls -----------------------------------------------------------------------------------


def test_slow_calls_open_the_breaker_at_the_slow_call_rate() -> None:
    clock = Clock()
    breaker = make(clock, slow_call_duration=1.0, slow_call_rate=0.5)
    breaker.call(taking(clock, 1.0))  # exactly the limit is not slow
    succeed(breaker)
    breaker.call(taking(clock, 1.5))
    assert breaker.metrics().slow_calls == 1
    breaker.call(taking(clock, 2.0))
    metrics = breaker.metrics()
    assert (metrics.state, metrics.slow_calls, metrics.failures) == (OPEN, 2, 0)
    with pytest.raises(CircuitOpenError, match=r"2 of 4 recent calls took over 1 s \(50% >= 50%\)"):
        succeed(breaker)


def test_a_slow_failure_counts_as_both() -> None:
    clock = Clock()
    breaker = make(clock, slow_call_duration=1.0, minimum_calls=10)
    with pytest.raises(Boom):
        breaker.call(taking(clock, 3.0, Boom()))
    metrics = breaker.metrics()
    assert (metrics.calls, metrics.failures, metrics.slow_calls) == (1, 1, 1)


def test_the_default_slow_call_rate_opens_only_when_every_call_is_slow() -> None:
    clock = Clock()
    breaker = make(clock)
    for _ in range(3):
        breaker.call(taking(clock, 6.0))
    succeed(breaker)
    breaker.call(taking(clock, 6.0))
    assert breaker.state is CLOSED
    breaker = make(clock)
    for _ in range(4):
        breaker.call(taking(clock, 6.0))
    assert breaker.state is OPEN


# -- which exceptions count -----------------------------------------------------------------------


def test_only_failure_types_count_as_failures_and_ignored_ones_count_as_nothing() -> None:
    breaker = make(Clock(), failure=(ConnectionError,), ignore=(KeyError,))
    fail(breaker, 3, ValueError)  # not a failure type: the dependency answered
    fail(breaker, 3, KeyError)
    fail(breaker, 1, ConnectionError)
    metrics = breaker.metrics()
    assert (metrics.calls, metrics.failures) == (4, 1)


def test_ignore_wins_over_failure() -> None:
    breaker = make(Clock(), failure=ConnectionError, ignore=ConnectionRefusedError)
    fail(breaker, 5, ConnectionRefusedError)
    assert breaker.metrics().calls == 0
    fail(breaker, 4, ConnectionResetError)
    assert breaker.state is OPEN


def test_cancellation_counts_as_nothing_unless_named_a_failure() -> None:
    breaker = make(Clock())
    fail(breaker, 5, asyncio.CancelledError)
    fail(breaker, 5, KeyboardInterrupt)
    assert breaker.metrics().calls == 0
    strict = make(Clock(), failure=(Exception, asyncio.CancelledError))
    fail(strict, 4, asyncio.CancelledError)
    assert strict.state is OPEN


# -- open and half-open ---------------------------------------------------------------------------


def test_an_open_breaker_refuses_at_once_and_says_when_it_will_try_again() -> None:
    clock = Clock()
    breaker = make(clock, window_size=20, minimum_calls=20)
    succeed(breaker, 8)
    fail(breaker, 12)
    clock.now += 12.8
    called = []
    with pytest.raises(CircuitOpenError) as refused:
        breaker.call(called.append, 1)
    assert called == []
    assert refused.value.name == "payments"
    assert str(refused.value) == (
        "circuit 'payments' is open: 12 of 20 recent calls failed (60% >= 50%); "
        "next trial in 17.2 s"
    )


def test_after_open_for_it_lets_trial_calls_through_and_closes_when_they_pass() -> None:
    clock = Clock()
    breaker = make(clock, open_for=30.0, half_open_calls=3)
    trip(breaker, clock)
    clock.now += 29.9
    assert breaker.state is OPEN
    clock.now += 0.1
    assert breaker.state is HALF_OPEN
    fail(breaker)  # one failed trial of three: 33% < 50%
    succeed(breaker, 2)
    metrics = breaker.metrics()
    assert (metrics.state, metrics.calls, metrics.failures) == (CLOSED, 0, 0)  # window reset
    fail(breaker, 3)
    assert breaker.state is CLOSED  # the failures that opened it are forgotten


def test_failing_trial_calls_open_it_again_for_another_open_for() -> None:
    clock = Clock()
    breaker = make(clock, open_for=10.0, half_open_calls=4)
    trip(breaker, clock)
    clock.now += 10.0
    succeed(breaker, 2)
    fail(breaker)
    assert breaker.state is HALF_OPEN  # the verdict waits for every trial call
    fail(breaker)
    assert breaker.state is OPEN
    with pytest.raises(CircuitOpenError, match=r"2 of 4 trial calls failed .* in 10\.0 s$"):
        succeed(breaker)


def test_slow_trial_calls_open_it_again() -> None:
    clock = Clock()
    breaker = make(clock, half_open_calls=2, slow_call_duration=1.0, slow_call_rate=0.5)
    trip(breaker, clock)
    clock.now += 30.0
    succeed(breaker)
    breaker.call(taking(clock, 2.0))
    assert breaker.state is OPEN


def test_an_ignored_trial_call_gives_its_place_to_another() -> None:
    clock = Clock()
    breaker = make(clock, half_open_calls=2, ignore=(KeyError,))
    trip(breaker, clock)
    clock.now += 30.0
    fail(breaker, 3, KeyError)
    assert breaker.metrics().calls == 0
    succeed(breaker, 2)
    assert breaker.state is CLOSED


def test_a_result_from_before_a_state_change_is_not_counted_after_it() -> None:
    clock = Clock()
    breaker = make(clock, half_open_calls=2)
    with pytest.raises(Boom), breaker:  # admitted while CLOSED, ends during the trials
        trip(breaker, clock)
        clock.now += 30.0
        succeed(breaker)
        raise Boom
    metrics = breaker.metrics()
    assert (metrics.state, metrics.calls, metrics.failures) == (HALF_OPEN, 1, 0)
    succeed(breaker)
    assert breaker.state is CLOSED


def test_trial_calls_that_never_finish_are_given_up_after_open_for() -> None:
    clock = Clock()
    breaker = make(clock, half_open_calls=2, open_for=30.0)
    changes: list[tuple[CircuitState, CircuitState]] = []
    breaker.on_state_change(lambda name, old, new: changes.append((old, new)))
    trip(breaker, clock)
    clock.now += 30.0
    hung = [breaker.guard(), breaker.guard()]
    for guard in hung:
        guard.__enter__()
    clock.now += 29.9
    with pytest.raises(CircuitOpenError, match="all 2 trial calls are in flight"):
        succeed(breaker)
    clock.now += 0.1
    with pytest.raises(CircuitOpenError) as refused:
        succeed(breaker)
    assert str(refused.value) == (
        "circuit 'payments' is open: its trial calls had not all finished 30 s after the last "
        "began; next trial in 30.0 s"
    )
    for guard in hung:  # they end at last: too late to count
        guard.__exit__(None, None, None)
    assert breaker.state is OPEN
    clock.now += 30.0
    succeed(breaker, 2)
    assert breaker.state is CLOSED
    assert changes == [
        (CLOSED, OPEN),
        (OPEN, HALF_OPEN),
        (HALF_OPEN, OPEN),
        (OPEN, HALF_OPEN),
        (HALF_OPEN, CLOSED),
    ]


def test_trial_calls_admitted_one_by_one_are_waited_for() -> None:
    clock = Clock()
    breaker = make(clock, half_open_calls=3, open_for=30.0)
    trip(breaker, clock)
    clock.now += 30.0
    for _ in range(2):
        succeed(breaker)
        clock.now += 100.0  # a quiet dependency: no third trial call for a long while
    assert breaker.state is HALF_OPEN
    succeed(breaker)
    assert breaker.state is CLOSED


@pytest.fixture
def racy() -> Iterator[None]:
    """Switch threads as often as the interpreter can, to provoke races."""
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(switching)


@pytest.mark.usefixtures("racy")
def test_half_open_admits_exactly_n_trial_calls_across_threads() -> None:
    clock = Clock()
    breaker = make(clock, half_open_calls=5)
    trip(breaker, clock)
    clock.now += 30.0
    start, finish = threading.Barrier(40), threading.Event()
    admitted, refused, lock = [], [], threading.Lock()

    def trial(i: int) -> None:
        with lock:
            admitted.append(i)
        assert finish.wait(10)

    def caller(i: int) -> None:
        start.wait()
        try:
            breaker.call(trial, i)
        except CircuitOpenError as error:
            refused.append(str(error))

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for _ in range(1000):  # the refused return at once; the admitted wait for `finish`
        if len(admitted) + len(refused) == 40:
            break
        finish.wait(0.01)
    assert len(admitted) == 5 and len(refused) == 35
    assert "is half-open: all 5 trial calls are in flight" in refused[0]
    assert breaker.state is HALF_OPEN
    finish.set()
    for thread in threads:
        thread.join(10)
    assert breaker.state is CLOSED
    assert breaker.metrics().not_permitted == 35


@in_event_loop
async def test_half_open_admits_exactly_n_trial_calls_across_tasks() -> None:
    clock = Clock()
    breaker = make(clock, half_open_calls=5)
    trip(breaker, clock)
    clock.now += 30.0
    finish, admitted = asyncio.Event(), []

    @breaker
    async def trial(i: int) -> int:
        admitted.append(i)
        await finish.wait()
        return i

    async def release_when_all_tried() -> None:
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert len(admitted) == 5
        finish.set()

    results = await asyncio.gather(
        *(trial(i) for i in range(50)), release_when_all_tried(), return_exceptions=True
    )
    passed = [r for r in results[:50] if isinstance(r, int)]
    refused = [r for r in results[:50] if isinstance(r, CircuitOpenError)]
    assert (len(passed), len(refused)) == (5, 45) and results[50] is None
    assert breaker.state is CLOSED


@pytest.mark.usefixtures("racy")
def test_concurrent_calls_are_all_counted() -> None:
    breaker = CircuitBreaker("load", window_size=8000, minimum_calls=8000, failure_rate=1.0)

    def hammer() -> None:
        for i in range(1000):
            with contextlib.suppress(Boom):
                breaker.call(raise_ if i % 2 else str, Boom())

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    metrics = breaker.metrics()
    assert (metrics.calls, metrics.failures, metrics.state) == (8000, 4000, CLOSED)


# -- ways to use it -------------------------------------------------------------------------------


def test_exceptions_pass_through_every_entry_point_unchanged() -> None:
    breaker = make(Clock(), minimum_calls=10)
    error = Boom("original")

    @breaker
    def sync_fn() -> None:
        raise error

    @breaker
    async def async_fn() -> None:
        raise error

    async def coro_fn() -> None:
        raise error

    async def async_block() -> None:
        async with breaker:
            raise error

    def with_block() -> None:
        with breaker:
            raise error

    for attempt in (
        sync_fn,
        with_block,
        lambda: breaker.call(raise_, error),
        lambda: asyncio.run(async_fn()),
        lambda: asyncio.run(breaker.call_async(coro_fn)),
        lambda: asyncio.run(async_block()),
    ):
        with pytest.raises(Boom) as caught:
            attempt()
        assert caught.value is error
        assert caught.value.__context__ is None and caught.value.__cause__ is None
    assert breaker.metrics().failures == 6


@in_event_loop
async def test_the_decorator_guards_sync_and_async_functions_alike() -> None:
    breaker = make(Clock(), minimum_calls=2)

    @breaker
    def add(a: int, b: int = 0) -> int:
        """Adds."""
        return a + b

    @breaker
    async def divide(a: int, *, by: int) -> float:
        return a / by

    assert add(1, b=2) == 3 and add.__name__ == "add" and add.__doc__ == "Adds."
    assert await divide(6, by=3) == 2.0 and divide.__name__ == "divide"
    assert asyncio.iscoroutinefunction(divide)
    for _ in range(2):
        with pytest.raises(ZeroDivisionError):
            await divide(1, by=0)
    assert breaker.state is OPEN
    with pytest.raises(CircuitOpenError):
        add(1)
    with pytest.raises(CircuitOpenError):
        await divide(1, by=1)


@in_event_loop
async def test_call_and_call_async_pass_arguments_through() -> None:
    breaker = make(Clock())

    async def echo(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
        return args, kwargs

    assert breaker.call(dict, fn=1) == {"fn": 1}
    assert await breaker.call_async(echo, 1, fn=2) == ((1,), {"fn": 2})


@in_event_loop
async def test_a_guard_counts_one_call_in_a_block_or_by_hand() -> None:
    breaker = make(Clock(), minimum_calls=10, ignore=(KeyError,))
    with breaker.guard() as guard:
        assert isinstance(guard, CircuitGuard)
    with pytest.raises(Boom):
        async with breaker.guard():
            raise Boom
    by_hand = breaker.guard()
    by_hand.__enter__()
    error = ConnectionError()
    by_hand.__exit__(type(error), error, None)
    ignored = breaker.guard()
    await ignored.__aenter__()
    await ignored.__aexit__(KeyError, KeyError(), None)
    metrics = breaker.metrics()
    assert (metrics.calls, metrics.failures) == (3, 2)


def test_a_guard_serves_one_call() -> None:
    breaker = make(Clock())
    guard = breaker.guard()
    with guard:
        pass
    with pytest.raises(RuntimeError, match="a guard serves one call"), guard:
        pass
    with pytest.raises(RuntimeError, match="guard exited without a permit"):
        breaker.guard().__exit__(None, None, None)
    fail(breaker, 3)
    assert breaker.state is OPEN
    refused = breaker.guard()
    with pytest.raises(CircuitOpenError), refused:
        pass
    with pytest.raises(RuntimeError, match="a guard serves one call"), refused:
        pass
    assert breaker.metrics().calls == 4


def test_misuse_is_refused_before_anything_is_counted() -> None:
    breaker = make(Clock())

    async def coro_fn() -> None: ...

    def gen_fn():  # type: ignore[no-untyped-def]
        yield

    with pytest.raises(TypeError, match="use call_async"):
        breaker.call(coro_fn)
    with pytest.raises(TypeError, match="generator function"):
        breaker(gen_fn)
    with pytest.raises(RuntimeError, match="without a matching __enter__"):
        breaker.__exit__(None, None, None)
    assert breaker.metrics().calls == 0


def test_a_with_block_is_counted_and_refused_like_a_call() -> None:
    clock = Clock()
    breaker = make(clock, slow_call_duration=1.0, slow_call_rate=0.5, minimum_calls=2)
    with breaker as entered:
        assert entered is breaker
        clock.now += 2.0
    with pytest.raises(Boom), breaker:
        raise Boom
    assert breaker.state is OPEN
    ran = False
    with pytest.raises(CircuitOpenError), breaker:
        ran = True
    assert not ran


@in_event_loop
async def test_interleaved_async_with_blocks_each_keep_their_own_call() -> None:
    clock = Clock()
    breaker = make(clock, slow_call_duration=5.0, ignore=(KeyError,))
    first_in, second_in = asyncio.Event(), asyncio.Event()

    async def first() -> None:  # starts at 0, ignored, ends before the second ends
        with pytest.raises(KeyError):
            async with breaker:
                first_in.set()
                await second_in.wait()
                raise KeyError

    async def second() -> None:  # starts at 10, ends at 10: fast
        await first_in.wait()
        clock.now += 10.0
        async with breaker:
            second_in.set()
            await asyncio.sleep(0)
            await asyncio.sleep(0)

    await asyncio.gather(first(), second())
    metrics = breaker.metrics()
    assert (metrics.calls, metrics.slow_calls) == (1, 0)


def test_a_block_held_open_by_a_generator_may_end_inside_another_block() -> None:
    held, other = make(Clock()), make(Clock())

    def stream():  # type: ignore[no-untyped-def]
        with held:
            yield

    reading = stream()
    next(reading)
    with pytest.raises(Boom), other:
        next(reading, None)  # `held`'s block ends (well) inside `other`'s
        raise Boom
    assert (held.metrics().calls, held.metrics().failures) == (1, 0)
    assert (other.metrics().calls, other.metrics().failures) == (1, 1)


def test_nested_with_blocks_of_two_breakers() -> None:
    outer, inner = make(Clock()), make(Clock())
    with pytest.raises(Boom), outer, inner:
        raise Boom
    with outer, inner:
        pass
    assert outer.metrics().failures == inner.metrics().failures == 1
    assert outer.metrics().calls == inner.metrics().calls == 2


# -- listeners and metrics ------------------------------------------------------------------------


def test_listeners_hear_every_state_change() -> None:
    clock = Clock()
    breaker = make(clock, half_open_calls=1)
    heard: list[tuple[str, CircuitState, CircuitState]] = []
    assert breaker.on_state_change(lambda *change: heard.append(change)) is not None
    trip(breaker, clock)
    clock.now += 30.0
    fail(breaker)
    clock.now += 30.0
    succeed(breaker)
    assert heard == [
        ("payments", CLOSED, OPEN),
        ("payments", OPEN, HALF_OPEN),
        ("payments", HALF_OPEN, OPEN),
        ("payments", OPEN, HALF_OPEN),
        ("payments", HALF_OPEN, CLOSED),
    ]


def test_a_raising_listener_is_logged_and_disturbs_no_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    breaker = make(clock, half_open_calls=1)
    heard = []

    @breaker.on_state_change
    def broken(name: str, old: CircuitState, new: CircuitState) -> None:
        raise RuntimeError("listener bug")

    breaker.on_state_change(lambda name, old, new: heard.append(new))
    error = Boom()
    with caplog.at_level(logging.ERROR, logger="stormproof.kit.breaker"):
        fail(breaker, 3)
        with pytest.raises(Boom) as caught:  # this failure opens the breaker
            breaker.call(raise_, error)
        assert caught.value is error
        clock.now += 30.0
        assert breaker.call(lambda: "value") == "value"  # half-open, then closed
    assert heard == [OPEN, HALF_OPEN, CLOSED]
    assert len([r for r in caplog.records if "listener" in r.getMessage()]) == 3
    assert all(r.exc_info and "listener bug" in str(r.exc_info[1]) for r in caplog.records)


def test_metrics_report_the_window_the_state_is_judged_by() -> None:
    clock = Clock()
    breaker = make(clock, half_open_calls=2, slow_call_duration=1.0)
    empty = breaker.metrics()
    assert empty == CircuitMetrics("payments", CLOSED, 0, 0, 0, None, None, 0, {})
    breaker.call(taking(clock, 2.0))
    fail(breaker, 3)
    opened = breaker.metrics()
    assert (opened.state, opened.calls, opened.failures, opened.slow_calls) == (OPEN, 4, 3, 1)
    assert (opened.failure_rate, opened.slow_call_rate) == (0.75, 0.25)
    with pytest.raises(dataclasses.FrozenInstanceError):
        opened.calls = 0  # type: ignore[misc]
    for _ in range(3):
        with pytest.raises(CircuitOpenError):
            succeed(breaker)
    clock.now += 30.0
    succeed(breaker)
    trials = breaker.metrics()
    assert (trials.state, trials.calls, trials.failure_rate, trials.not_permitted) == (
        HALF_OPEN,
        1,
        None,
        3,
    )
    succeed(breaker)
    assert breaker.metrics().transitions == {
        (CLOSED, OPEN): 1,
        (OPEN, HALF_OPEN): 1,
        (HALF_OPEN, CLOSED): 1,
    }
    assert opened.transitions == {(CLOSED, OPEN): 1}  # a snapshot, not a live view
    assert repr(breaker) == "<CircuitBreaker 'payments' closed>"


@given(
    size=st.integers(1, 12),
    minimum=st.integers(1, 12),
    outcomes=st.lists(st.booleans(), max_size=60),
)
def test_the_count_window_failure_rate_is_that_of_the_last_n_outcomes(
    size: int, minimum: int, outcomes: list[bool]
) -> None:
    minimum = min(minimum, size)
    breaker = make(Clock(), window_size=size, minimum_calls=minimum, failure_rate=1.0)
    for i, failed in enumerate(outcomes):
        if failed:
            fail(breaker)
        else:
            succeed(breaker)
        last = outcomes[max(0, i + 1 - size) : i + 1]
        expected = sum(last) / len(last) if len(last) >= minimum else None
        metrics = breaker.metrics()
        assert metrics.failure_rate == expected
        if metrics.state is OPEN:
            assert expected == 1.0
            break
        assert expected != 1.0


# -- bad settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"name": ""}, "name must be a non-empty string, not ''"),
        ({"name": None}, "name must be a non-empty string, not None"),
        ({"window": "sliding"}, "window must be 'count' or 'time', not 'sliding'"),
        ({"window_size": 0}, "window_size must be an integer >= 1, not 0"),
        ({"window_size": 2.5}, "window_size must be an integer >= 1, not 2.5"),
        ({"window_size": True}, "window_size must be an integer >= 1, not True"),
        ({"minimum_calls": 0}, "minimum_calls must be an integer in [1, window_size] ([1, 100])"),
        ({"minimum_calls": 101}, "minimum_calls must be an integer in [1, window_size] ([1, 100])"),
        ({"window": "time", "minimum_calls": 0}, "minimum_calls must be an integer >= 1, not 0"),
        ({"failure_rate": 1.5}, "failure_rate must be in (0, 1], not 1.5"),
        ({"failure_rate": 0}, "failure_rate must be in (0, 1], not 0"),
        ({"failure_rate": math.nan}, "failure_rate must be in (0, 1], not nan"),
        ({"failure_rate": "0.5"}, "failure_rate must be in (0, 1], not '0.5'"),
        ({"slow_call_rate": 0.0}, "slow_call_rate must be in (0, 1], not 0.0"),
        ({"slow_call_rate": -1}, "slow_call_rate must be in (0, 1], not -1"),
        ({"slow_call_duration": 0}, "slow_call_duration must be a number of seconds > 0, not 0"),
        ({"slow_call_duration": None}, "slow_call_duration must be a number of seconds > 0"),
        ({"open_for": 0}, "open_for must be a finite number of seconds > 0, not 0"),
        ({"open_for": math.inf}, "open_for must be a finite number of seconds > 0, not inf"),
        ({"half_open_calls": 0}, "half_open_calls must be an integer >= 1, not 0"),
        ({"failure": "ValueError"}, "failure must be an exception type or a tuple of them"),
        ({"failure": (ValueError, 3)}, "failure must be an exception type or a tuple of them"),
        ({"ignore": [KeyError]}, "ignore must be an exception type or a tuple of them"),
        ({"ignore": int}, "ignore must be an exception type or a tuple of them, not <class 'int'>"),
        ({"clock": 3.0}, "clock must be a callable returning seconds, not 3.0"),
    ],
)
def test_each_bad_setting_is_refused_by_name_with_its_range(
    settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        CircuitBreaker(**({"name": "payments"} | settings))
    assert str(refused.value).startswith(message)


def test_the_defaults_are_valid_and_the_edges_of_each_range_accepted() -> None:
    assert CircuitBreaker("payments").state is CLOSED
    edges = CircuitBreaker(
        "edges",
        window="time",
        window_size=1,
        minimum_calls=1000,
        failure_rate=1,
        slow_call_rate=1.0,
        slow_call_duration=math.inf,
        open_for=0.001,
        half_open_calls=1,
        failure=(),
        ignore=BaseException,
    )
    assert edges.metrics().calls == 0
