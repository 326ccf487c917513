"""Bulkhead: the limit holds under threads and asyncio.gather, excess calls are refused at once
(never queued), and a slot comes back however a call ends (return, exception, cancellation)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import random
import threading
import time
from collections.abc import Callable

import pytest

from stormproof.kit.bulkhead import Bulkhead, BulkheadMetrics
from stormproof.kit.errors import BulkheadFullError, ConfigurationError, RejectedError

WAIT_S = 10.0


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll until ``condition()`` holds; fail the test after a generous bound."""
    give_up = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < give_up, "condition not reached in time"
        time.sleep(0.001)


class ConcurrencyProbe:
    """Counts the calls that are really running at once, from inside the calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.now -= 1


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"name": "", "max_concurrent": 1}, "name"),
        ({"name": 3, "max_concurrent": 1}, "name"),
        ({"name": "p", "max_concurrent": 0}, "max_concurrent must be at least 1"),
        ({"name": "p", "max_concurrent": -5}, "max_concurrent must be at least 1"),
        ({"name": "p", "max_concurrent": 2.5}, "max_concurrent must be an integer"),
        ({"name": "p", "max_concurrent": True}, "max_concurrent must be an integer"),
        ({"name": "p", "max_concurrent": "10"}, "max_concurrent must be an integer"),
    ],
)
def test_bad_settings_raise_at_construction(kwargs: dict, fragment: str) -> None:
    name = kwargs.pop("name")
    with pytest.raises(ConfigurationError, match=fragment):
        Bulkhead(name, **kwargs)


def test_a_full_bulkhead_refuses_at_once_without_calling_and_names_itself() -> None:
    bulkhead = Bulkhead("payments", max_concurrent=2)
    called = []
    with bulkhead, bulkhead:
        with pytest.raises(BulkheadFullError) as refused:
            bulkhead.call(called.append, "should not run")
        assert called == []
        assert str(refused.value) == "bulkhead 'payments' is full: 2 of 2 calls in flight"
        assert refused.value.name == "payments"
        assert isinstance(refused.value, RejectedError)
    assert bulkhead.call(called.append, "runs") is None
    assert called == ["runs"]
    assert bulkhead.metrics() == BulkheadMetrics(
        in_flight=0, max_concurrent=2, admitted=3, rejected=1, peak_in_flight=2
    )


def test_metrics_are_a_frozen_snapshot() -> None:
    bulkhead = Bulkhead("p", max_concurrent=1)
    before = bulkhead.metrics()
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.in_flight = 5  # type: ignore[misc]
    with bulkhead:
        assert bulkhead.metrics().in_flight == 1
    assert before.in_flight == 0 and before.admitted == 0


def test_an_error_in_the_call_propagates_unchanged_and_frees_the_slot() -> None:
    bulkhead = Bulkhead("p", max_concurrent=1)
    boom = ValueError("boom")

    def fail() -> None:
        raise boom

    for _ in range(3):  # with a leaked slot, the second round would be refused
        with pytest.raises(ValueError) as raised:
            bulkhead.call(fail)
        assert raised.value is boom
    assert bulkhead.metrics().in_flight == 0
    assert bulkhead.metrics().admitted == 3


def test_threads_blocked_inside_calls_hold_exactly_the_limit() -> None:
    bulkhead = Bulkhead("p", max_concurrent=5)
    probe = ConcurrencyProbe()
    release = threading.Event()
    outcomes: list[str] = []
    outcomes_lock = threading.Lock()

    def work() -> str:
        with probe:
            assert release.wait(WAIT_S)
        return "done"

    def caller() -> None:
        try:
            result = bulkhead.call(work)
        except BulkheadFullError:
            result = "refused"
        with outcomes_lock:
            outcomes.append(result)

    threads = [threading.Thread(target=caller) for _ in range(20)]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(outcomes) == 15)  # refused callers return without waiting
    assert outcomes == ["refused"] * 15
    assert bulkhead.metrics().in_flight == 5
    release.set()
    for thread in threads:
        thread.join(WAIT_S)
    assert sorted(outcomes) == ["done"] * 5 + ["refused"] * 15
    assert probe.peak == 5
    assert bulkhead.metrics() == BulkheadMetrics(
        in_flight=0, max_concurrent=5, admitted=5, rejected=15, peak_in_flight=5
    )


def test_many_threads_hammering_never_exceed_the_limit() -> None:
    bulkhead = Bulkhead("p", max_concurrent=3)
    probe = ConcurrencyProbe()
    attempts_per_thread = 300

    @bulkhead
    def work(seed: int) -> None:
        with probe:
            if seed % 7 == 0:
                raise KeyError(seed)
            time.sleep(random.random() / 20_000)

    def caller(offset: int) -> None:
        for i in range(attempts_per_thread):
            with contextlib.suppress(BulkheadFullError, KeyError):
                work(offset + i)

    threads = [threading.Thread(target=caller, args=(n * 1000,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S * 3)
    metrics = bulkhead.metrics()
    assert probe.peak <= 3
    assert metrics.peak_in_flight <= 3
    assert metrics.in_flight == 0
    assert metrics.admitted + metrics.rejected == 12 * attempts_per_thread
    assert metrics.rejected > 0  # the limit was actually under pressure


def test_gather_admits_the_limit_and_refuses_the_rest_at_once() -> None:
    async def scenario() -> None:
        bulkhead = Bulkhead("p", max_concurrent=4)
        probe = ConcurrencyProbe()
        release = asyncio.Event()

        async def work(i: int) -> int:
            with probe:
                await release.wait()
            return i

        async def caller(i: int) -> int | str:
            try:
                return await bulkhead.call_async(work, i)
            except BulkheadFullError:
                return "refused"

        tasks = [asyncio.create_task(caller(i)) for i in range(30)]
        while sum(task.done() for task in tasks) < 26:
            await asyncio.sleep(0)
        assert bulkhead.metrics().in_flight == 4
        release.set()
        results = await asyncio.gather(*tasks)
        assert results[:4] == [0, 1, 2, 3]
        assert results[4:] == ["refused"] * 26
        assert probe.peak == 4
        assert bulkhead.metrics() == BulkheadMetrics(
            in_flight=0, max_concurrent=4, admitted=4, rejected=26, peak_in_flight=4
        )

    asyncio.run(asyncio.wait_for(scenario(), WAIT_S))


def test_cancelled_calls_give_their_slots_back() -> None:
    async def scenario() -> None:
        bulkhead = Bulkhead("p", max_concurrent=2)
        never = asyncio.Event()

        async def hang() -> None:
            await never.wait()

        holders = [asyncio.create_task(bulkhead.call_async(hang)) for _ in range(2)]
        await asyncio.sleep(0)
        assert bulkhead.metrics().in_flight == 2
        for task in holders:
            task.cancel()
        results = await asyncio.gather(*holders, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        assert bulkhead.metrics().in_flight == 0

        # A timeout is a cancellation too, and the `async with` form frees its slot the same way.
        async def hang_in_block() -> None:
            async with bulkhead:
                await never.wait()

        with pytest.raises(TimeoutError):
            await asyncio.wait_for(hang_in_block(), 0.01)
        assert bulkhead.metrics().in_flight == 0
        assert bulkhead.metrics().admitted == 3

    asyncio.run(asyncio.wait_for(scenario(), WAIT_S))


def test_async_errors_propagate_unchanged_and_free_the_slot() -> None:
    bulkhead = Bulkhead("p", max_concurrent=1)
    boom = RuntimeError("boom")

    @bulkhead
    async def fail() -> None:
        await asyncio.sleep(0)
        raise boom

    async def scenario() -> None:
        for _ in range(3):
            with pytest.raises(RuntimeError) as raised:
                await fail()
            assert raised.value is boom

    asyncio.run(scenario())
    assert bulkhead.metrics().in_flight == 0
    assert bulkhead.metrics().admitted == 3


def test_decorators_keep_the_function_and_share_one_limit_with_every_form() -> None:
    bulkhead = Bulkhead("p", max_concurrent=1)

    @bulkhead
    def add(a: int, b: int = 0) -> int:
        """Sum."""
        return a + b

    @bulkhead
    async def double(a: int) -> int:
        return 2 * a

    assert add.__name__ == "add" and add.__doc__ == "Sum."
    assert inspect.iscoroutinefunction(double)
    assert add(1, b=2) == 3
    assert asyncio.run(double(4)) == 8

    async def while_full() -> None:
        async with bulkhead:  # the async block holds the only slot...
            with pytest.raises(BulkheadFullError):
                add(1)  # ...so a sync call is refused,
            with pytest.raises(BulkheadFullError):
                await double(1)  # and so is an async one.

    asyncio.run(while_full())
    assert bulkhead.metrics().admitted == 3
    assert bulkhead.metrics().rejected == 2


def test_a_thread_and_the_event_loop_share_the_counter() -> None:
    bulkhead = Bulkhead("p", max_concurrent=1)
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with bulkhead:
            holding.set()
            assert release.wait(WAIT_S)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(WAIT_S)

    async def attempt() -> None:
        await bulkhead.call_async(asyncio.sleep, 0)

    try:
        with pytest.raises(BulkheadFullError):
            asyncio.run(attempt())
    finally:
        release.set()
        thread.join(WAIT_S)
    asyncio.run(attempt())
    assert bulkhead.metrics().rejected == 1
