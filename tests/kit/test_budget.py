"""RetryBudget: deposits, withdrawals, the floor, expiry after the window, thread safety, and
the documented bound on retries during a long outage (a property, on a simulated clock)."""

from __future__ import annotations

import bisect
import math
import random
import threading
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stormproof.kit.budget import RetryBudget, RetryBudgetMetrics
from stormproof.kit.errors import ConfigurationError, RejectedError, RetryBudgetExhaustedError


class FakeClock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def retries_granted(budget: RetryBudget, limit: int = 100_000) -> int:
    """Retry until the budget says no; how many were granted."""
    for granted in range(limit):
        if not budget.try_retry():
            return granted
    raise AssertionError("the budget never refused")


@pytest.mark.parametrize(
    ("setting", "value", "fragment"),
    [
        ("ratio", -0.1, "ratio must be between 0 and 1"),
        ("ratio", 1.5, "ratio must be between 0 and 1"),
        ("ratio", math.nan, "ratio"),
        ("ratio", "0.2", "ratio"),
        ("ratio", True, "ratio"),
        ("min_per_second", -1.0, "min_per_second must be a finite number of at least 0"),
        ("min_per_second", math.inf, "min_per_second"),
        ("min_per_second", math.nan, "min_per_second"),
        ("window", 0.0, "window must be between 1 and 60 seconds"),
        ("window", -10.0, "window"),
        ("window", 0.5, "window"),
        ("window", 61, "window"),
        ("window", math.inf, "window"),
        ("window", math.nan, "window"),
        ("clock", 12.0, "clock must be a callable"),
    ],
)
def test_bad_settings_raise_at_construction(setting: str, value: object, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        RetryBudget(**{setting: value})  # type: ignore[arg-type]


def test_defaults_and_edges_of_the_accepted_ranges() -> None:
    budget = RetryBudget(clock=FakeClock())
    assert (budget.ratio, budget.min_per_second, budget.window) == (0.2, 10.0, 10.0)
    assert budget.available() == 100.0  # the floor: 10 per second over a 10 s window
    assert repr(budget) == "RetryBudget(ratio=0.2, min_per_second=10, window=10)"
    for edge in ({"ratio": 0}, {"ratio": 1}, {"min_per_second": 0}, {"window": 1}, {"window": 60}):
        RetryBudget(**edge)


def test_without_traffic_the_floor_allows_min_per_second_times_window() -> None:
    clock = FakeClock()
    budget = RetryBudget(ratio=0.2, min_per_second=2.0, window=5.0, clock=clock)
    assert retries_granted(budget) == 10
    clock.now = 4.4  # still within the window: the floor is spent
    assert not budget.try_retry()
    clock.now = 5.0  # the withdrawals have expired
    assert retries_granted(budget) == 10


def test_each_first_attempt_deposits_ratio_tokens() -> None:
    budget = RetryBudget(ratio=0.25, min_per_second=0.0, window=10.0, clock=FakeClock())
    assert not budget.try_retry()
    for _ in range(3):
        budget.record_request()
    assert budget.available() == 0.75
    assert not budget.try_retry()
    budget.record_request()
    assert budget.try_retry()
    assert not budget.try_retry()
    for _ in range(8):
        budget.record_request()
    assert retries_granted(budget) == 2


def test_deposits_expire_after_the_window_not_before_nine_tenths_of_it() -> None:
    clock = FakeClock(1000.0)
    budget = RetryBudget(ratio=1.0, min_per_second=0.0, window=10.0, clock=clock)
    for _ in range(5):
        budget.record_request()
    clock.now = 1008.99
    assert budget.available() == 5.0
    clock.now = 1010.0
    assert budget.available() == 0.0
    assert not budget.try_retry()


def test_a_withdrawal_outlives_the_deposit_that_paid_for_it() -> None:
    """A retry paid for by a deposit that then expires leaves a debt: the next deposit pays
    it off before it funds another retry, and available() reads zero meanwhile."""
    clock = FakeClock()
    budget = RetryBudget(ratio=1.0, min_per_second=0.0, window=10.0, clock=clock)
    budget.record_request()
    clock.now = 9.5
    assert budget.try_retry()
    clock.now = 10.0  # the deposit expired, the withdrawal has not
    assert budget.available() == 0.0
    budget.record_request()
    assert not budget.try_retry()
    budget.record_request()
    assert budget.try_retry()


def test_check_retry_grants_and_refuses_like_try_retry() -> None:
    budget = RetryBudget(ratio=0.5, min_per_second=0.1, window=5.0, clock=FakeClock())
    budget.record_request()  # 0.5 floor + 0.5 deposit = 1 token
    budget.check_retry("payments")
    budget.record_request()
    with pytest.raises(RetryBudgetExhaustedError) as refused:
        budget.check_retry("payments")
    assert isinstance(refused.value, RejectedError)
    assert refused.value.name == "payments"
    assert str(refused.value) == (
        "retry budget for 'payments' is spent: 0.50 tokens left, a retry needs 1 "
        "(the budget allows 50% of requests plus 0.1 per second over 5s)"
    )
    assert budget.metrics() == RetryBudgetMetrics(
        requests=2, retries_allowed=1, retries_refused=1, available=0.5
    )


def test_threads_racing_for_tokens_never_overdraw() -> None:
    budget = RetryBudget(ratio=0.0, min_per_second=10.0, window=10.0, clock=FakeClock())
    granted = []
    start = threading.Barrier(16)

    def racer() -> None:
        start.wait()
        granted.append(sum(budget.try_retry() for _ in range(50)))

    threads = [threading.Thread(target=racer) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sum(granted) == 100
    assert budget.metrics() == RetryBudgetMetrics(
        requests=0, retries_allowed=100, retries_refused=700, available=0.0
    )


@dataclass
class Outage:
    """What a client sent during a simulated outage: the times of first attempts and retries."""

    requests: list[float]
    retries: list[float]


def simulate_outage(
    budget: RetryBudget,
    clock: FakeClock,
    arrivals: list[float],
    max_retries: int | None,
) -> Outage:
    """Every attempt fails; each request retries until it has used ``max_retries`` (``None``:
    until the budget refuses)."""
    outage = Outage([], [])
    for at in arrivals:
        clock.now = at
        budget.record_request()
        outage.requests.append(at)
        retries = 0
        while (max_retries is None or retries < max_retries) and budget.try_retry():
            outage.retries.append(at)
            retries += 1
    return outage


def count_in(times: list[float], low: float, high: float) -> int:
    """How many of the sorted ``times`` lie in (low, high]."""
    return bisect.bisect_right(times, high) - bisect.bisect_right(times, low)


@settings(max_examples=150, deadline=None)
@given(
    ratio=st.floats(0.0, 1.0),
    floor_share=st.floats(0.0, 1.0),
    window=st.floats(1.0, 60.0),
    windows=st.integers(3, 12),
    rate_share=st.floats(0.0, 1.0),
    start=st.floats(0.0, 10_000.0),
    max_retries=st.one_of(st.none(), st.integers(1, 4)),
    poisson=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_retries_during_an_outage_stay_within_the_documented_bound(
    ratio: float,
    floor_share: float,
    window: float,
    windows: int,
    rate_share: float,
    start: float,
    max_retries: int | None,
    poisson: bool,
    seed: int,
) -> None:
    duration = windows * window
    # Keep each example small: at most ~1500 requests and ~1500 retries from the floor.
    rate = 10 / window + rate_share * (1500 / duration - 10 / window)
    min_per_second = floor_share * 1500 / duration
    clock = FakeClock(start)
    budget = RetryBudget(ratio=ratio, min_per_second=min_per_second, window=window, clock=clock)
    rng = random.Random(seed)
    arrivals, at = [], start
    while at < start + duration:
        arrivals.append(at)
        at += rng.expovariate(rate) if poisson else 1 / rate
    outage = simulate_outage(budget, clock, arrivals, max_retries)
    requests, retries = outage.requests, outage.retries

    def bound(span: float, low: float, high: float) -> float:
        """The documented bound for the retries in (low, high], a span of ``span`` seconds."""
        deposits = ratio * count_in(requests, low - window, high)
        return deposits + min_per_second * (span + 1.1 * window) + 1e-6

    # Over the whole outage...
    assert len(retries) <= bound(duration, start - 1, start + duration)
    # ...and over every span of one and of two and a half windows that ends at a retry.
    for span in (window, 2.5 * window):
        for end in retries:
            assert count_in(retries, end - span, end) <= bound(span, end - span, end)

    metrics = budget.metrics()
    assert metrics.requests == len(requests)
    assert metrics.retries_allowed == len(retries)
    if max_retries is None and not poisson:
        # A client that retries whenever it may gets (nearly) all the budget promises: it is a
        # limit on retries, not a ban. Each window-long block of time loses less than one
        # token, and the last, unfinished block at most a window's worth.
        promised = ratio * len(requests) + min_per_second * duration
        slack = (ratio * rate + min_per_second) * window + windows + 3
        assert len(retries) >= promised - slack
