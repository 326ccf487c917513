"""A circuit breaker with resilience4j's model: it opens on the *rate* of failed or slow calls
in a sliding window (not on a run of consecutive failures, which one healthy reply resets
while most calls fail), stays open for a while, then lets a few trial calls decide whether to
close again.

One breaker guards sync and async code alike, from any number of threads and tasks::

    payments = CircuitBreaker("payments")

    @payments
    async def charge(order): ...

    with payments:
        requests_post(...)

A refused call raises :class:`~stormproof.kit.errors.CircuitOpenError` at once; any other
exception passes through unchanged, after it has been counted."""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType, TracebackType
from typing import Literal, NamedTuple, ParamSpec, TypeVar

from stormproof.kit.breaker_window import CountWindow, Tally, TimeWindow, Window
from stormproof.kit.errors import CircuitOpenError, ConfigurationError

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

ExceptionTypes = type[BaseException] | tuple[type[BaseException], ...]
Listener = Callable[[str, "CircuitState", "CircuitState"], object]
Change = tuple["CircuitState", "CircuitState"]


class CircuitState(StrEnum):
    """Where a breaker stands; listeners receive these."""

    CLOSED = "closed"
    """Calls go through; their outcomes fill the sliding window."""
    OPEN = "open"
    """Calls are refused until ``open_for`` seconds have passed."""
    HALF_OPEN = "half_open"
    """``half_open_calls`` trial calls go through; their outcomes decide CLOSED or OPEN."""


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
    """Calls refused since the breaker was built."""
    transitions: Mapping[Change, int]
    """How often each ``(old, new)`` state change happened."""


class _Permit(NamedTuple):
    """A call let through: when it started, and in which period of which state (a result
    that comes back after the state changed is not counted: trial calls are judged on trial
    calls alone, and a breaker that just closed does not inherit the failures that opened it)."""

    generation: int
    started: float


class CircuitBreaker:
    """Refuses calls to a failing dependency so that it can recover, and so that callers fail
    fast instead of queueing behind timeouts.

    CLOSED, the breaker counts each call's outcome in a sliding window: the last
    ``window_size`` calls (``window="count"``) or the calls of the last ``window_size`` seconds
    (``window="time"``). Once the window holds ``minimum_calls`` outcomes, it opens when the
    share of failed calls reaches ``failure_rate`` or the share of calls slower than
    ``slow_call_duration`` seconds reaches ``slow_call_rate`` (a slow failure counts as both).
    OPEN, it refuses every call for ``open_for`` seconds, then lets ``half_open_calls`` trial
    calls through (HALF_OPEN); when all have finished, it opens again if their rates reach a
    threshold, and closes with an empty window otherwise.

    An exception that is an instance of ``ignore`` counts as nothing (a trial call that ends
    so hands its place to another); otherwise one that is an instance of ``failure`` is a
    failure, and any other :class:`Exception` a success, as in resilience4j (a 404 raised as
    an exception says the dependency is up). Cancellation, KeyboardInterrupt and the other
    non-Exception ``BaseException``\\ s say nothing about the dependency and are ignored,
    unless ``failure`` names them.

    The defaults, and why:

    - ``window="count"``, ``window_size=100``, ``failure_rate=0.5``, ``slow_call_rate=1.0``:
      resilience4j's. A count window reacts the same whatever the traffic; slowness alone
      opens the breaker only when every call is slow (lower it to shed load earlier).
    - ``minimum_calls=20``: resilience4j's 100 (the whole window) keeps a low-traffic breaker
      closed through long outages; 20 calls make a rate meaningful (one call is 5%) and let it
      trip within 20 calls of an outage.
    - ``slow_call_duration=5.0``: resilience4j's 60 s outlasts any sane request timeout, so
      the slow-call rule would never fire.
    - ``open_for=30.0``: half resilience4j's 60 s: time for a dependency to recover, while
      probing it twice a minute.
    - ``half_open_calls=5``: half resilience4j's 10: less load on a dependency that may still
      be sick, while one stray failure (20%) does not reopen the breaker.
    - ``failure=(Exception,)``, ``ignore=()``: every error counts, as in resilience4j.

    ``clock`` returns seconds (monotonic); tests inject their own to drive time.
    """

    def __init__(
        self,
        name: str,
        *,
        window: Literal["count", "time"] = "count",
        window_size: int = 100,
        minimum_calls: int = 20,
        failure_rate: float = 0.5,
        slow_call_rate: float = 1.0,
        slow_call_duration: float = 5.0,
        open_for: float = 30.0,
        half_open_calls: int = 5,
        failure: ExceptionTypes = (Exception,),
        ignore: ExceptionTypes = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _check("name", name, isinstance(name, str) and name != "", "a non-empty string")
        _check("window", window, window in ("count", "time"), "'count' or 'time'")
        _check("window_size", window_size, _is_int(window_size, 1), "an integer >= 1")
        if window == "count":
            within_window = _is_int(minimum_calls, 1) and minimum_calls <= window_size
            span = f"an integer in [1, window_size] ([1, {window_size}])"
            _check("minimum_calls", minimum_calls, within_window, span)
        else:
            _check("minimum_calls", minimum_calls, _is_int(minimum_calls, 1), "an integer >= 1")
        for setting, rate in (("failure_rate", failure_rate), ("slow_call_rate", slow_call_rate)):
            _check(setting, rate, _is_number(rate) and 0 < rate <= 1, "in (0, 1]")
        slow_ok = _is_number(slow_call_duration) and slow_call_duration > 0
        _check("slow_call_duration", slow_call_duration, slow_ok, "a number of seconds > 0")
        open_ok = _is_number(open_for) and 0 < open_for < math.inf
        _check("open_for", open_for, open_ok, "a finite number of seconds > 0")
        _check("half_open_calls", half_open_calls, _is_int(half_open_calls, 1), "an integer >= 1")
        _check("clock", clock, callable(clock), "a callable returning seconds")

        self.name = name
        self._minimum_calls = minimum_calls
        self._failure_rate = failure_rate
        self._slow_call_rate = slow_call_rate
        self._slow_call_duration = slow_call_duration
        self._open_for = open_for
        self._half_open_calls = half_open_calls
        self._failure = _exception_types("failure", failure)
        self._ignore = _exception_types("ignore", ignore)
        self._clock = clock
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._window: Window = (
            CountWindow(window_size) if window == "count" else TimeWindow(window_size)
        )
        self._trials = CountWindow(half_open_calls)
        self._state = CircuitState.CLOSED
        self._generation = 0
        self._trials_admitted = 0
        self._opened_at = 0.0
        self._tripped_by = Tally(0, 0, 0)
        self._trip_reason = ""
        self._not_permitted = 0
        self._transitions: Counter[Change] = Counter()

    def __repr__(self) -> str:
        return f"<CircuitBreaker {self.name!r} {self.state.value}>"

    # -- using it -----------------------------------------------------------------------------

    def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` through the breaker."""
        if inspect.iscoroutinefunction(fn):
            raise TypeError(f"{fn!r} is a coroutine function: use call_async")
        with _Attempt(self):
            return fn(*args, **kwargs)

    async def call_async(
        self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``await fn(*args, **kwargs)`` through the breaker."""
        with _Attempt(self):
            return await fn(*args, **kwargs)

    def __call__(self, fn: Callable[P, T]) -> Callable[P, T]:
        """Guard every call of a function, sync or async, with this breaker."""
        if inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn):
            raise TypeError(f"{fn!r} is a generator function: a breaker cannot guard its body")
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def guarded_async(*args: P.args, **kwargs: P.kwargs) -> T:
                return await self.call_async(fn, *args, **kwargs)  # type: ignore[arg-type]

            return guarded_async  # type: ignore[return-value]

        @functools.wraps(fn)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
            return self.call(fn, *args, **kwargs)

        return guarded

    def __enter__(self) -> CircuitBreaker:
        attempt = _Attempt(self).__enter__()
        _open_blocks.set((*_open_blocks.get(), attempt))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # A context variable keeps each block's permit apart from those of other threads and
        # tasks using the same breaker; the innermost block of this breaker is the one ending.
        blocks = _open_blocks.get()
        mine = [i for i, attempt in enumerate(blocks) if attempt.breaker is self]
        if not mine:
            raise RuntimeError(f"{self!r}: __exit__ without a matching __enter__")
        i = mine[-1]
        _open_blocks.set(blocks[:i] + blocks[i + 1 :])
        blocks[i].__exit__(exc_type, exc, tb)

    async def __aenter__(self) -> CircuitBreaker:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    # -- watching it --------------------------------------------------------------------------

    def on_state_change(self, listener: Listener) -> Listener:
        """Call ``listener(name, old, new)`` on every state change, after it happened, in the
        thread whose call caused it. A listener that raises is logged and does not disturb
        the call. Returns the listener, so that this works as a decorator."""
        self._listeners.append(listener)
        return listener

    @property
    def state(self) -> CircuitState:
        """The state now (reading it moves an OPEN breaker whose time is up to HALF_OPEN)."""
        return self.metrics().state

    def metrics(self) -> CircuitMetrics:
        """A consistent snapshot of the state and its counts."""
        now = self._clock()
        with self._lock:
            change = self._expire_open(now)
            if self._state is CircuitState.CLOSED:
                tally, minimum = self._window.tally(now), self._minimum_calls
            elif self._state is CircuitState.OPEN:
                tally, minimum = self._tripped_by, 1
            else:
                tally, minimum = self._trials.tally(now), self._half_open_calls
            judged = tally.calls >= minimum
            metrics = CircuitMetrics(
                name=self.name,
                state=self._state,
                calls=tally.calls,
                failures=tally.failures,
                slow_calls=tally.slow,
                failure_rate=tally.failures / tally.calls if judged else None,
                slow_call_rate=tally.slow / tally.calls if judged else None,
                not_permitted=self._not_permitted,
                transitions=MappingProxyType(dict(self._transitions)),
            )
        self._notify(change)
        return metrics

    # -- the logic: each step runs under the lock and returns the state change it made -------

    def _acquire(self) -> _Permit:
        """Let a call through, or refuse it with CircuitOpenError."""
        now = self._clock()
        with self._lock:
            change = self._expire_open(now)
            refusal = self._refusal(now)
            if refusal is None:
                if self._state is CircuitState.HALF_OPEN:
                    self._trials_admitted += 1
                permit = _Permit(self._generation, now)
            else:
                self._not_permitted += 1
        self._notify(change)
        if refusal is not None:
            raise CircuitOpenError(self.name, refusal)
        return permit

    def _release(self, permit: _Permit, exc: BaseException | None) -> None:
        """Count the outcome of a call let through by ``_acquire``."""
        now = self._clock()
        failed = self._is_failure(exc)
        with self._lock:
            if permit.generation != self._generation:
                return
            if failed is None:
                if self._state is CircuitState.HALF_OPEN:
                    self._trials_admitted -= 1  # its place goes to another trial call
                return
            slow = now - permit.started > self._slow_call_duration
            if self._state is CircuitState.CLOSED:
                tally = self._window.record(now, failed, slow)
                if tally.calls < self._minimum_calls or not self._over_threshold(tally):
                    return
                change = self._trip(now, tally, "recent calls")
            else:
                tally = self._trials.record(now, failed, slow)
                if tally.calls < self._half_open_calls:
                    return
                if self._over_threshold(tally):
                    change = self._trip(now, tally, "trial calls")
                else:
                    self._window.reset()
                    change = self._move_to(CircuitState.CLOSED)
        self._notify(change)

    def _expire_open(self, now: float) -> Change | None:
        """OPEN for ``open_for`` seconds already: on to HALF_OPEN."""
        if self._state is not CircuitState.OPEN or now < self._opened_at + self._open_for:
            return None
        self._trials.reset()
        self._trials_admitted = 0
        return self._move_to(CircuitState.HALF_OPEN)

    def _refusal(self, now: float) -> str | None:
        """Why a call cannot go through now, or None when it can."""
        if self._state is CircuitState.CLOSED:
            return None
        if self._state is CircuitState.HALF_OPEN:
            if self._trials_admitted < self._half_open_calls:
                return None
            return (
                f"circuit {self.name!r} is half-open: all {self._half_open_calls} trial calls "
                "are in flight; their outcome decides whether it closes"
            )
        wait = self._opened_at + self._open_for - now
        return f"circuit {self.name!r} is open: {self._trip_reason}; next trial in {wait:.1f} s"

    def _is_failure(self, exc: BaseException | None) -> bool | None:
        """True for a failure, False for a success, None for an outcome that counts as
        nothing."""
        if exc is None:
            return False
        if isinstance(exc, self._ignore):
            return None
        if isinstance(exc, self._failure):
            return True
        return None if not isinstance(exc, Exception) else False

    def _over_threshold(self, tally: Tally) -> bool:
        return (
            tally.failures / tally.calls >= self._failure_rate
            or tally.slow / tally.calls >= self._slow_call_rate
        )

    def _trip(self, now: float, tally: Tally, calls: str) -> Change:
        self._opened_at = now
        self._tripped_by = tally
        self._trip_reason = self._describe(tally, calls)
        return self._move_to(CircuitState.OPEN)

    def _move_to(self, new: CircuitState) -> Change:
        change = (self._state, new)
        self._state = new
        self._generation += 1
        self._transitions[change] += 1
        return change

    def _describe(self, tally: Tally, calls: str) -> str:
        """Why the breaker opened: ``12 of 20 recent calls failed (60% >= 50%)``."""
        reasons = []
        failure_rate, slow_rate = tally.failures / tally.calls, tally.slow / tally.calls
        if failure_rate >= self._failure_rate:
            reasons.append(
                f"{tally.failures} of {tally.calls} {calls} failed "
                f"({_percent(failure_rate)} >= {_percent(self._failure_rate)})"
            )
        if slow_rate >= self._slow_call_rate:
            reasons.append(
                f"{tally.slow} of {tally.calls} {calls} took over {self._slow_call_duration:g} s "
                f"({_percent(slow_rate)} >= {_percent(self._slow_call_rate)})"
            )
        return " and ".join(reasons)

    def _notify(self, change: Change | None) -> None:
        """Tell the log and the listeners, outside the lock (a listener may read metrics)."""
        if change is None:
            return
        old, new = change
        level = logging.WARNING if new is CircuitState.OPEN else logging.INFO
        logger.log(level, "circuit %r: %s -> %s", self.name, old.value, new.value)
        for listener in list(self._listeners):
            try:
                listener(self.name, old, new)
            except Exception:
                logger.exception(
                    "state-change listener %r of circuit %r raised", listener, self.name
                )


class _Attempt:
    """One call through a breaker: a permit taken on entry, its outcome counted on exit. The
    exception, if any, propagates unchanged."""

    __slots__ = ("breaker", "permit")

    def __init__(self, breaker: CircuitBreaker) -> None:
        self.breaker = breaker

    def __enter__(self) -> _Attempt:
        self.permit = self.breaker._acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.breaker._release(self.permit, exc)


_open_blocks: contextvars.ContextVar[tuple[_Attempt, ...]] = contextvars.ContextVar(
    "stormproof_breaker_blocks", default=()
)
"""The ``with breaker:`` blocks open in the current thread or task, innermost last."""


def _check(setting: str, value: object, ok: bool, accepted: str) -> None:
    if not ok:
        raise ConfigurationError(f"{setting} must be {accepted}, not {value!r}")


def _is_int(value: object, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _exception_types(setting: str, types: object) -> tuple[type[BaseException], ...]:
    normalised = types if isinstance(types, tuple) else (types,)
    valid = all(isinstance(t, type) and issubclass(t, BaseException) for t in normalised)
    _check(setting, types, valid, "an exception type or a tuple of them")
    return normalised  # type: ignore[return-value]


def _percent(rate: float) -> str:
    """``60%``, ``33.3%``."""
    return f"{rate * 100:.1f}".removesuffix(".0") + "%"
