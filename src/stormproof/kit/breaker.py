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

    async with payments.guard():  # one call's guard, an object of its own
        await post(...)

A refused call raises :class:`~stormproof.kit.errors.CircuitOpenError` at once; any other
exception passes through unchanged, after it has been counted.

The breaker keeps its state in the process, or, with ``shared=``, in Redis, where every
process calling the dependency sees one breaker (:mod:`stormproof.kit.breaker_redis`)::

    payments = CircuitBreaker("payments", shared=RedisBreakerState("redis://cache:6379/0"))
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Literal, ParamSpec, TypeVar

from stormproof.kit._checks import check
from stormproof.kit.breaker_redis import RedisBreakerState
from stormproof.kit.breaker_settings import Settings
from stormproof.kit.breaker_state import (
    Changes,
    CircuitMetrics,
    CircuitState,
    LocalState,
    Permit,
    State,
)
from stormproof.kit.errors import CircuitOpenError

__all__ = ["CircuitBreaker", "CircuitGuard", "CircuitMetrics", "CircuitState"]

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

ExceptionTypes = type[BaseException] | tuple[type[BaseException], ...]
Listener = Callable[[str, CircuitState, CircuitState], object]


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
    threshold, and closes with an empty window otherwise. Trial calls that have not all
    finished ``open_for`` seconds after the last began open it again too: a call that never
    ends must not hold the breaker half-open, refusing everything, forever.

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

    ``clock`` returns seconds (monotonic); tests inject their own to drive time. It times
    calls (slow or not), and, with ``shared``, when to ask Redis again after it failed; the
    state shared in Redis runs on the Redis server's clock.

    ``shared``, a :class:`~stormproof.kit.breaker_redis.RedisBreakerState`, keeps the state in
    Redis, one breaker for every process that names it alike; see that class for what changes
    (two Redis round trips a call, and what happens when Redis does not answer).
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
        shared: RedisBreakerState | None = None,
    ) -> None:
        settings = Settings(
            name,
            window,
            window_size,
            minimum_calls,
            failure_rate,
            slow_call_rate,
            slow_call_duration,
            open_for,
            half_open_calls,
        )
        self._failure = _exception_types("failure", failure)
        self._ignore = _exception_types("ignore", ignore)
        check("clock", clock, callable(clock), "a callable returning seconds")
        sharable = shared is None or isinstance(shared, RedisBreakerState)
        check("shared", shared, sharable, "a RedisBreakerState or None")

        self.name = name
        self._slow_call_duration = slow_call_duration
        self._clock = clock
        self._listeners: list[Listener] = []
        local = LocalState(settings)
        self._store: State = local if shared is None else shared._bind(settings, local)

    @property
    def shared(self) -> bool:
        """Whether the state lives outside this process (each call then asks it over the
        network: async callers should do so off the event loop)."""
        return self._store.remote

    def __repr__(self) -> str:
        shared = " (shared)" if self._store.remote else ""
        return f"<CircuitBreaker {self.name!r} {self._store.known.value}{shared}>"

    # -- using it -----------------------------------------------------------------------------

    def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` through the breaker."""
        if inspect.iscoroutinefunction(fn):
            raise TypeError(f"{fn!r} is a coroutine function: use call_async")
        with CircuitGuard(self):
            return fn(*args, **kwargs)

    async def call_async(
        self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``await fn(*args, **kwargs)`` through the breaker."""
        async with CircuitGuard(self):
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

    def guard(self) -> CircuitGuard:
        """A guard for one call: ``with breaker.guard():`` or ``async with breaker.guard():``
        takes a permit on entry (or raises CircuitOpenError) and counts the outcome on exit.

        ``with breaker:`` does the same, but finds its permit again on exit in a per-context
        stack, since the breaker is one object for every call; a guard is the call's own
        object. It may be entered and exited by hand (``__exit__(None, None, None)`` for a
        success, ``__exit__(type(error), error, None)`` for a failure) where the call does not
        fit in a block, as the kit's Client does. A guard serves once: entering it again
        raises RuntimeError."""
        return CircuitGuard(self)

    def __enter__(self) -> CircuitBreaker:
        guard = CircuitGuard(self)
        guard.__enter__()
        _open_blocks.set((*_open_blocks.get(), guard))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close_block().__exit__(exc_type, exc, tb)

    async def __aenter__(self) -> CircuitBreaker:
        guard = CircuitGuard(self)
        await guard.__aenter__()
        _open_blocks.set((*_open_blocks.get(), guard))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._close_block().__aexit__(exc_type, exc, tb)

    def _close_block(self) -> CircuitGuard:
        """The guard of the ``with`` block of this breaker that is ending. A context variable
        keeps each block's guard apart from those of other threads and tasks using the same
        breaker; the innermost block of this breaker is the one ending."""
        blocks = _open_blocks.get()
        mine = [i for i, guard in enumerate(blocks) if guard.breaker is self]
        if not mine:
            raise RuntimeError(f"{self!r}: __exit__ without a matching __enter__")
        i = mine[-1]
        _open_blocks.set(blocks[:i] + blocks[i + 1 :])
        return blocks[i]

    # -- watching it --------------------------------------------------------------------------

    def on_state_change(self, listener: Listener) -> Listener:
        """Call ``listener(name, old, new)`` on every state change this process sees, after
        it happened: in the thread whose call or metrics read saw it (for an async caller,
        its event loop's). A listener that raises is logged and does not disturb the call.
        Returns the listener, so that this works as a decorator.

        With ``shared`` state, a process sees the changes its own calls make, and those other
        processes made, at its next call or metrics read, as ``(the state it last saw, the
        state it sees now)``: it may not see every step (CLOSED -> HALF_OPEN, when another
        process opened the breaker and its ``open_for`` ran out in between), and hears
        nothing of a round trip (OPEN -> HALF_OPEN -> OPEN). ``metrics().transitions``
        counts every change, by every process. While Redis does not answer, the listeners
        hear the changes of the process's own state; when it answers again, the change from
        that state to the shared one, if they differ."""
        self._listeners.append(listener)
        return listener

    @property
    def state(self) -> CircuitState:
        """The state now (reading it moves an OPEN breaker whose time is up to HALF_OPEN)."""
        return self.metrics().state

    def metrics(self) -> CircuitMetrics:
        """A consistent snapshot of the state and its counts (with ``shared``, one Redis
        round trip, made in the calling thread)."""
        snapshot, changes = self._store.snapshot(self._clock())
        if changes:
            self._notify(changes)
        return snapshot

    # -- the steps of a guard -----------------------------------------------------------------

    def _admit(self, acquired: tuple[Permit | str, Changes]) -> Permit:
        """The permit a store handed out, or CircuitOpenError with its reason."""
        permit, changes = acquired
        if changes:
            self._notify(changes)
        if isinstance(permit, str):
            raise CircuitOpenError(self.name, permit)
        return permit

    def _judge(
        self, permit: Permit, exc: BaseException | None, now: float
    ) -> tuple[bool | None, bool]:
        """Whether a call that ended at ``now`` failed (None: it counts as nothing), and
        whether it was slow."""
        slow = now - permit.started > self._slow_call_duration
        if exc is None:
            return False, slow
        if isinstance(exc, self._ignore):
            return None, slow
        if isinstance(exc, self._failure):
            return True, slow
        return (False if isinstance(exc, Exception) else None), slow

    def _notify(self, changes: Changes) -> None:
        """Tell the log and the listeners, outside any lock (a listener may read metrics)."""
        for old, new in changes:
            level = logging.WARNING if new is CircuitState.OPEN else logging.INFO
            logger.log(level, "circuit %r: %s -> %s", self.name, old.value, new.value)
            for listener in list(self._listeners):
                try:
                    listener(self.name, old, new)
                except Exception:
                    logger.exception(
                        "state-change listener %r of circuit %r raised", listener, self.name
                    )


class CircuitGuard:
    """One call through a breaker (:meth:`CircuitBreaker.guard`): a permit taken on entry,
    its outcome counted on exit. The exception, if any, propagates unchanged.

    Async entry and exit run a shared breaker's Redis round trip in a worker thread, so that
    the event loop goes on meanwhile; in-process state needs no thread."""

    __slots__ = ("_permit", "_used", "breaker")

    def __init__(self, breaker: CircuitBreaker) -> None:
        self.breaker = breaker
        self._used = False
        self._permit: Permit | None = None

    def __enter__(self) -> CircuitGuard:
        breaker = self._take()
        self._permit = breaker._admit(breaker._store.acquire(breaker._clock()))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        breaker, permit, now = self.breaker, self._give_back(), self.breaker._clock()
        failed, slow = breaker._judge(permit, exc, now)
        changes = breaker._store.release(permit, now, failed, slow)
        if changes:
            breaker._notify(changes)

    async def __aenter__(self) -> CircuitGuard:
        breaker = self._take()
        store, now = breaker._store, breaker._clock()
        acquired = (
            await asyncio.to_thread(store.acquire, now) if store.remote else store.acquire(now)
        )
        self._permit = breaker._admit(acquired)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        breaker, permit, now = self.breaker, self._give_back(), self.breaker._clock()
        failed, slow = breaker._judge(permit, exc, now)
        store = breaker._store
        if store.remote:
            changes = await asyncio.to_thread(store.release, permit, now, failed, slow)
        else:
            changes = store.release(permit, now, failed, slow)
        if changes:
            breaker._notify(changes)

    def _take(self) -> CircuitBreaker:
        if self._used:
            raise RuntimeError("a guard serves one call: take another from breaker.guard()")
        self._used = True
        return self.breaker

    def _give_back(self) -> Permit:
        permit, self._permit = self._permit, None
        if permit is None:
            raise RuntimeError(f"{self.breaker!r}: guard exited without a permit from entering")
        return permit


_open_blocks: contextvars.ContextVar[tuple[CircuitGuard, ...]] = contextvars.ContextVar(
    "stormproof_breaker_blocks", default=()
)
"""The ``with breaker:`` blocks open in the current thread or task, innermost last."""


def _exception_types(setting: str, types: object) -> tuple[type[BaseException], ...]:
    normalised = types if isinstance(types, tuple) else (types,)
    valid = all(isinstance(t, type) and issubclass(t, BaseException) for t in normalised)
    check(setting, types, valid, "an exception type or a tuple of them")
    return normalised  # type: ignore[return-value]
