"""The breaker's sliding windows against a naive recount of the same outcomes."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from stormproof.kit.breaker_window import CountWindow, Tally, TimeWindow

outcomes = st.lists(st.tuples(st.booleans(), st.booleans()), max_size=300)


def naive(kept: list[tuple[bool, bool]]) -> Tally:
    return Tally(len(kept), sum(f for f, _ in kept), sum(s for _, s in kept))


@given(size=st.integers(1, 40), seen=outcomes)
def test_a_count_window_holds_exactly_the_last_n_outcomes(
    size: int, seen: list[tuple[bool, bool]]
) -> None:
    window = CountWindow(size)
    for i, (failed, slow) in enumerate(seen):
        assert window.record(0.0, failed, slow) == naive(seen[max(0, i + 1 - size) : i + 1])
    assert window.tally(0.0) == naive(seen[-size:] if seen else [])


@given(
    size=st.integers(1, 20),
    steps=st.lists(
        st.tuples(st.floats(0, 7, allow_nan=False), st.booleans(), st.booleans()), max_size=200
    ),
    later=st.floats(0, 30, allow_nan=False),
)
def test_a_time_window_holds_the_outcomes_of_the_last_n_clock_seconds(
    size: int, steps: list[tuple[float, bool, bool]], later: float
) -> None:
    window, now, seen = TimeWindow(size), -3.5, []
    for gap, failed, slow in steps:
        now += gap
        seen.append((now, failed, slow))
        assert window.record(now, failed, slow) == in_last_seconds(seen, now, size)
    now += later
    assert window.tally(now) == in_last_seconds(seen, now, size)


def in_last_seconds(seen: list[tuple[float, bool, bool]], now: float, size: int) -> Tally:
    """A call counts while its second is one of the window's: (floor(now) - size, floor(now)]."""
    return naive([(f, s) for t, f, s in seen if math.floor(t) > math.floor(now) - size])


def test_a_time_window_counts_a_late_reading_of_the_clock_in_its_newest_second() -> None:
    window = TimeWindow(2)
    window.record(10.2, True, False)
    # Another thread read 8.9 before this one read 10.2, and took the lock after it.
    assert window.record(8.9, False, True) == Tally(2, 1, 1)
    assert window.tally(11.0) == Tally(2, 1, 1)
    assert window.tally(12.0) == Tally(0, 0, 0)


def test_a_time_window_forgets_everything_after_a_long_silence() -> None:
    window = TimeWindow(5)
    for t in range(5):
        window.record(float(t), True, True)
    assert window.tally(4.5) == Tally(5, 5, 5)
    assert window.tally(1e9) == Tally(0, 0, 0)
    assert window.record(1e9, False, False) == Tally(1, 0, 0)


def test_reset_empties_both_windows() -> None:
    count, timed = CountWindow(3), TimeWindow(3)
    for window in (count, timed):
        for _ in range(4):
            window.record(1.0, True, True)
        window.reset()
        assert window.tally(1.0) == Tally(0, 0, 0)
        assert window.record(1.0, False, True) == Tally(1, 0, 1)
