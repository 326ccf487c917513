"""Where a circuit breaker keeps its state: the seam between the breaker's API and its
state machine, and the in-process state machine itself.

A state store owns the state, the sliding window and the counters, and makes each step
(let a call through, count its outcome, take a snapshot) atomic. It returns the state
changes the step made or saw, for the breaker to tell its listeners outside any lock. The
breaker keeps what is the caller's business: which exceptions count, how long a call took,
the listeners. :class:`LocalState` is the default, and the fallback of the state shared in
Redis (:mod:`stormproof.kit.breaker_redis`)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple, Protocol

from stormproof.kit.breaker_settings import Settings
from stormproof.kit.breaker_window import CountWindow, Tally, TimeWindow, Window


class CircuitState(StrEnum):
    """Where a breaker stands; listeners receive these."""

    CLOSED = "closed"
    """Calls go through; their outcomes fill the sliding window."""
    OPEN = "open"
    """Calls are refused until ``open_for`` seconds have passed."""
    HALF_OPEN = "half_open"
    """``half_open_calls`` trial calls go through; their outcome decides CLOSED or OPEN."""


Change = tuple[CircuitState, CircuitState]
Changes = tuple[Change, ...]
NO_CHANGE: Changes = ()


@dataclass(frozen=True)
class CircuitMetrics:
    """A breaker's state and the window it is judged by.

    ``calls``, ``failures`` and ``slow_calls`` are those of the window that matters now: the
    sliding window when CLOSED, the window that tripped the breaker when OPEN, the trial calls
    when HALF_OPEN. The rates are ``None`` until that window holds enough calls to judge
    (``minimum_calls``, or every trial call)."""

    name: str
    state: CircuitState
    calls: int
    failures: int
    slow_calls: int
    failure_rate: float | None
    slow_call_rate: float | None
    not_permitted: int
    """Calls refused: by this breaker since it was built, or, when ``shared``, by every
    process sharing it since its state was created in Redis."""
    transitions: Mapping[Change, int]
    """How often each ``(old, new)`` state change happened (counted like ``not_permitted``)."""
    shared: bool = False
    """Whether these figures are the state shared in Redis (False for an in-process breaker,
    and for a shared one while Redis does not answer and it runs on its own state)."""


def metrics(
    settings: Settings,
    state: CircuitState,
    tally: Tally,
    not_permitted: int,
    transitions: Mapping[Change, int],
    *,
    shared: bool,
) -> CircuitMetrics:
    """The metrics of a state and the tally of the window it is judged by."""
    if state is CircuitState.CLOSED:
        minimum = settings.minimum_calls
    elif state is CircuitState.OPEN:
        minimum = 1
    else:
        minimum = settings.half_open_calls
    judged = tally.calls >= minimum
    return CircuitMetrics(
        name=settings.name,
        state=state,
        calls=tally.calls,
        failures=tally.failures,
        slow_calls=tally.slow,
        failure_rate=tally.failures / tally.calls if judged else None,
        slow_call_rate=tally.slow / tally.calls if judged else None,
        not_permitted=not_permitted,
        transitions=MappingProxyType(dict(transitions)),
        shared=shared,
    )


class Permit(NamedTuple):
    """A call let through: in which period of which state (a result that comes back after
    the state changed is not counted: trial calls are judged on trial calls alone, and a
    breaker that just closed does not inherit the failures that opened it), when it started
    (on the breaker's clock, to judge its duration), whether it is a trial call, and which
    store let it through (the one its outcome goes to)."""

    generation: int
    started: float
    trial: bool
    source: object


class State(Protocol):
    """What the breaker needs of a state store. Each step takes the breaker's clock reading
    and returns the state changes to tell the listeners of, oldest first."""

    remote: bool
    """Whether steps do network I/O (async callers then run them in a worker thread)."""

    @property
    def known(self) -> CircuitState:
        """The state as last seen, without asking anyone (for ``repr``)."""
        ...

    def acquire(self, now: float) -> tuple[Permit | str, Changes]:
        """A permit, or why the call is refused."""
        ...

    def release(self, permit: Permit, now: float, failed: bool | None, slow: bool) -> Changes:
        """Count a call's outcome (``failed`` None: it counts as nothing)."""
        ...

    def snapshot(self, now: float) -> tuple[CircuitMetrics, Changes]: ...


class LocalState:
    """The state machine in this process, every step under one lock. The windows are plain
    data structures; the lock serialises them and the clock reading comes in with each step.

    Besides resilience4j's transitions, a half-open breaker whose trial calls have not all
    finished ``open_for`` seconds after the last one began opens again (as resilience4j's
    ``maxWaitDurationInHalfOpenState`` does): a trial call that never ends (a hung call, a
    cancelled task whose permit was taken in a worker thread, a process that died holding a
    shared permit) must not keep the breaker half-open, refusing everything, forever."""

    remote = False

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        size = settings.window_size
        self._window: Window = CountWindow(size) if settings.window == "count" else TimeWindow(size)
        self._trials = CountWindow(settings.half_open_calls)
        self._state = CircuitState.CLOSED
        self._generation = 0
        self._admitted = 0
        self._since = 0.0
        """When it opened (OPEN), or handed out its latest trial permit (HALF_OPEN)."""
        self._tripped_by = Tally(0, 0, 0)
        self._trip_reason = ""
        self._not_permitted = 0
        self._transitions: Counter[Change] = Counter()

    @property
    def known(self) -> CircuitState:
        return self._state

    def acquire(self, now: float) -> tuple[Permit | str, Changes]:
        with self._lock:
            if self._state is CircuitState.CLOSED:
                return Permit(self._generation, now, False, self), NO_CHANGE
            changes = self._expire(now)  # OPEN or HALF_OPEN after it, never CLOSED
            settings = self._settings
            if self._state is CircuitState.HALF_OPEN:
                if self._admitted < settings.half_open_calls:
                    self._admitted += 1
                    self._since = now
                    return Permit(self._generation, now, True, self), changes
                refusal = settings.refused_half_open
            else:
                wait = self._since + settings.open_for - now
                refusal = settings.refused_open(self._trip_reason, wait)
            self._not_permitted += 1
            return refusal, changes

    def release(self, permit: Permit, now: float, failed: bool | None, slow: bool) -> Changes:
        settings = self._settings
        with self._lock:
            if permit.generation != self._generation:
                return NO_CHANGE
            if failed is None:
                if permit.trial:
                    self._admitted -= 1  # its place goes to another trial call
                return NO_CHANGE
            if self._state is CircuitState.CLOSED:
                tally = self._window.record(now, failed, slow)
                if tally.calls < settings.minimum_calls or not settings.over_threshold(tally):
                    return NO_CHANGE
                return (self._trip(now, tally, settings.describe(tally, "recent calls")),)
            tally = self._trials.record(now, failed, slow)
            if tally.calls < settings.half_open_calls:
                return NO_CHANGE
            if settings.over_threshold(tally):
                return (self._trip(now, tally, settings.describe(tally, "trial calls")),)
            self._window.reset()
            return (self._move_to(CircuitState.CLOSED, now),)

    def snapshot(self, now: float) -> tuple[CircuitMetrics, Changes]:
        with self._lock:
            changes = self._expire(now)
            if self._state is CircuitState.CLOSED:
                tally = self._window.tally(now)
            elif self._state is CircuitState.OPEN:
                tally = self._tripped_by
            else:
                tally = self._trials.tally(now)
            snapshot = metrics(
                self._settings,
                self._state,
                tally,
                self._not_permitted,
                self._transitions,
                shared=False,
            )
        return snapshot, changes

    def restart(self, state: CircuitState, now: float, reason: str) -> None:
        """Start over in ``state`` with empty windows (an OPEN one for ``open_for`` from now,
        with ``reason`` as its cause), silently: the shared state fell back on this one, which
        carries on from what the process last saw. Calls let through before do not count."""
        with self._lock:
            self._window.reset()
            self._trials.reset()
            self._admitted = 0
            self._state = state
            self._generation += 1
            self._since = now
            self._tripped_by = Tally(0, 0, 0)
            self._trip_reason = reason

    def _expire(self, now: float) -> Changes:
        """OPEN for ``open_for`` seconds: on to HALF_OPEN. HALF_OPEN with every trial call in
        flight ``open_for`` seconds after the last began: back to OPEN."""
        state, settings = self._state, self._settings
        if state is CircuitState.CLOSED or now < self._since + settings.open_for:
            return NO_CHANGE
        if state is CircuitState.OPEN:
            self._trials.reset()
            self._admitted = 0
            return (self._move_to(CircuitState.HALF_OPEN, now),)
        if self._admitted < settings.half_open_calls:
            return NO_CHANGE
        return (self._trip(now, self._trials.tally(now), settings.stalled),)

    def _trip(self, now: float, tally: Tally, reason: str) -> Change:
        self._tripped_by = tally
        self._trip_reason = reason
        return self._move_to(CircuitState.OPEN, now)

    def _move_to(self, new: CircuitState, now: float) -> Change:
        change = (self._state, new)
        self._state = new
        self._generation += 1
        self._since = now
        self._transitions[change] += 1
        return change
