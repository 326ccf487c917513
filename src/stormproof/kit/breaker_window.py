"""The sliding windows a circuit breaker judges by: the last N calls, or the calls of the
last N seconds. Both keep running totals so that recording an outcome and reading the totals
cost O(1), whatever the window's size (resilience4j's design: a ring of outcomes, and a ring
of one-second partial aggregations).

The windows are plain data structures with no lock and no clock of their own: the breaker's
state serialises access and passes the time in, which keeps them easy to test. The state
shared in Redis runs the same two algorithms in Lua (:mod:`stormproof.kit.breaker_lua`)."""

from __future__ import annotations

import math
from typing import NamedTuple, Protocol

_FAILED = 1
_SLOW = 2


class Tally(NamedTuple):
    """What a window holds: how many calls, and how many of them failed or were slow (a
    slow failure counts in both)."""

    calls: int
    failures: int
    slow: int


class Window(Protocol):
    """What the breaker needs of a window."""

    def record(self, now: float, failed: bool, slow: bool) -> Tally: ...

    def tally(self, now: float) -> Tally: ...

    def reset(self) -> None: ...


class CountWindow:
    """The outcomes of the last ``size`` calls, in a ring: the newest overwrites the oldest,
    whose counts leave the totals as it goes."""

    __slots__ = ("_calls", "_failures", "_next", "_ring", "_slow")

    def __init__(self, size: int) -> None:
        self._ring = [0] * size
        self.reset()

    def reset(self) -> None:
        self._ring[:] = [0] * len(self._ring)
        self._next = self._calls = self._failures = self._slow = 0

    def record(self, now: float, failed: bool, slow: bool) -> Tally:
        """Count one outcome (``now`` is unused: the window is measured in calls)."""
        evicted = self._ring[self._next]
        if self._calls == len(self._ring):
            self._failures -= evicted & _FAILED
            self._slow -= (evicted & _SLOW) >> 1
        else:
            self._calls += 1
        self._ring[self._next] = _FAILED * failed | _SLOW * slow
        self._failures += failed
        self._slow += slow
        self._next = (self._next + 1) % len(self._ring)
        return Tally(self._calls, self._failures, self._slow)

    def tally(self, now: float) -> Tally:
        return Tally(self._calls, self._failures, self._slow)


class TimeWindow:
    """The outcomes of the last ``seconds`` seconds, in one bucket per second of the clock.

    A bucket holds one second's totals; when the clock moves on, the buckets of the seconds
    that left the window are subtracted from the totals and emptied (at most ``seconds`` of
    them, however long the clock was idle). A call counts in the bucket of the second it
    finished in, so the window spans between ``seconds - 1`` and ``seconds`` seconds of
    history, as in resilience4j."""

    __slots__ = ("_bucket_calls", "_bucket_failures", "_bucket_slow", "_head", "_totals")

    def __init__(self, seconds: int) -> None:
        self._bucket_calls = [0] * seconds
        self._bucket_failures = [0] * seconds
        self._bucket_slow = [0] * seconds
        self.reset()

    def reset(self) -> None:
        for bucket in (self._bucket_calls, self._bucket_failures, self._bucket_slow):
            bucket[:] = [0] * len(bucket)
        self._head: int | None = None
        self._totals = [0, 0, 0]

    def record(self, now: float, failed: bool, slow: bool) -> Tally:
        """Count one outcome at ``now`` (a time before the newest bucket, as a thread that read
        the clock just before another may bring, counts in the newest bucket)."""
        i = self._advance(now)
        self._bucket_calls[i] += 1
        self._bucket_failures[i] += failed
        self._bucket_slow[i] += slow
        totals = self._totals
        totals[0] += 1
        totals[1] += failed
        totals[2] += slow
        return Tally(*totals)

    def tally(self, now: float) -> Tally:
        self._advance(now)
        return Tally(*self._totals)

    def _advance(self, now: float) -> int:
        """Move the window so that its newest bucket is ``now``'s second, emptying the buckets
        of the seconds that left it; return the newest bucket's index."""
        second = math.floor(now)
        size = len(self._bucket_calls)
        if self._head is None:
            self._head = second
        for stale in range(self._head + 1, min(second, self._head + size) + 1):
            i = stale % size
            self._totals[0] -= self._bucket_calls[i]
            self._totals[1] -= self._bucket_failures[i]
            self._totals[2] -= self._bucket_slow[i]
            self._bucket_calls[i] = self._bucket_failures[i] = self._bucket_slow[i] = 0
        self._head = max(self._head, second)
        return self._head % size
