"""A circuit breaker's validated settings, and the judgements and messages that follow from
them, shared by the in-process state and the state shared in Redis so that both judge alike
and speak alike."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from stormproof.kit._checks import check, is_int, is_number
from stormproof.kit.breaker_window import Tally


@dataclass(frozen=True, slots=True)
class Settings:
    """What :class:`~stormproof.kit.breaker.CircuitBreaker` documents, checked on creation:
    a bad value raises :class:`ConfigurationError` naming the setting and its range."""

    name: str
    window: Literal["count", "time"]
    window_size: int
    minimum_calls: int
    failure_rate: float
    slow_call_rate: float
    slow_call_duration: float
    open_for: float
    half_open_calls: int

    def __post_init__(self) -> None:
        name, window, window_size = self.name, self.window, self.window_size
        check("name", name, isinstance(name, str) and name != "", "a non-empty string")
        check("window", window, window in ("count", "time"), "'count' or 'time'")
        check("window_size", window_size, is_int(window_size, 1), "an integer >= 1")
        minimum = self.minimum_calls
        if window == "count":
            within_window = is_int(minimum, 1) and minimum <= window_size
            span = f"an integer in [1, window_size] ([1, {window_size}])"
            check("minimum_calls", minimum, within_window, span)
        else:
            check("minimum_calls", minimum, is_int(minimum, 1), "an integer >= 1")
        for setting in ("failure_rate", "slow_call_rate"):
            rate = getattr(self, setting)
            check(setting, rate, is_number(rate) and 0 < rate <= 1, "in (0, 1]")
        slow = self.slow_call_duration
        check("slow_call_duration", slow, is_number(slow) and slow > 0, "a number of seconds > 0")
        open_for = self.open_for
        open_ok = is_number(open_for) and 0 < open_for < math.inf
        check("open_for", open_for, open_ok, "a finite number of seconds > 0")
        trials = self.half_open_calls
        check("half_open_calls", trials, is_int(trials, 1), "an integer >= 1")

    def over_threshold(self, tally: Tally) -> bool:
        """Whether a window's calls (at least one) are failing or slow enough to open."""
        return (
            tally.failures / tally.calls >= self.failure_rate
            or tally.slow / tally.calls >= self.slow_call_rate
        )

    def describe(self, tally: Tally, calls: str) -> str:
        """Why the breaker opened: ``12 of 20 recent calls failed (60% >= 50%)``."""
        reasons = []
        failure_rate, slow_rate = tally.failures / tally.calls, tally.slow / tally.calls
        if failure_rate >= self.failure_rate:
            reasons.append(
                f"{tally.failures} of {tally.calls} {calls} failed "
                f"({_percent(failure_rate)} >= {_percent(self.failure_rate)})"
            )
        if slow_rate >= self.slow_call_rate:
            reasons.append(
                f"{tally.slow} of {tally.calls} {calls} took over {self.slow_call_duration:g} s "
                f"({_percent(slow_rate)} >= {_percent(self.slow_call_rate)})"
            )
        return " and ".join(reasons)

    @property
    def stalled(self) -> str:
        """Why a half-open breaker opened without a verdict."""
        return f"its trial calls had not all finished {self.open_for:g} s after the last began"

    def refused_open(self, reason: str, wait: float) -> str:
        return f"circuit {self.name!r} is open: {reason}; next trial in {wait:.1f} s"

    @property
    def refused_half_open(self) -> str:
        return (
            f"circuit {self.name!r} is half-open: all {self.half_open_calls} trial calls "
            "are in flight; their outcome decides whether it closes"
        )


def _percent(rate: float) -> str:
    """``60%``, ``33.3%``."""
    return f"{rate * 100:.1f}".removesuffix(".0") + "%"
