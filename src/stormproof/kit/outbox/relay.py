"""The relay: takes committed events out of an outbox and delivers them, at least once.

Each cycle leases a batch of events, hands them to ``deliver`` one by one in order, and marks
each delivered when ``deliver`` returns. An event whose ``deliver`` raises is recorded (its
attempts and error) and left for a later cycle after an exponential backoff, capped: it is
never dropped, and never retried in a hot loop. A relay that dies mid-batch leaves its events
leased; once the lease runs out another relay (or this one, restarted) takes them over, so an
event is delivered at least once, and exactly once when nothing crashes and no delivery
outlasts the lease. Consumers drop the duplicates with a
:class:`~stormproof.kit.outbox.Deduplicator`.

The cycle is written once, as a generator that yields its steps (a database call, or an
event to deliver) to a driver: :meth:`Relay.run_once` runs them in the calling thread,
:meth:`Relay.arun_once` awaits an async ``deliver`` and runs the rest in worker threads."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from functools import partial
from typing import Any

from stormproof.kit._checks import check, is_count, is_seconds
from stormproof.kit.outbox.event import Event
from stormproof.kit.outbox.store import Outbox

logger = logging.getLogger("stormproof.kit.outbox")

Deliver = Callable[[Event], object] | Callable[[Event], Awaitable[object]]
_Step = Callable[[], Any] | Event
"""What a cycle asks its driver for: a database call to run, or an event to deliver."""
_Cycle = Generator[_Step, Any, "RelayResult"]


@dataclass(frozen=True, slots=True)
class RelayResult:
    """What one cycle did with the events it claimed, each in claim order."""

    delivered: tuple[Event, ...] = ()
    failed: tuple[tuple[Event, Exception], ...] = ()
    """Events whose ``deliver`` raised, with the error; each is retried after a backoff."""
    abandoned: tuple[Event, ...] = ()
    """Events not tried because the lease ran out first (a lease too short for the batch):
    free for any relay to claim again."""

    @property
    def claimed(self) -> int:
        return len(self.delivered) + len(self.failed) + len(self.abandoned)


class Relay:
    """Deliver the events of ``outbox`` with ``deliver(event)``, a function or a coroutine
    function, which publishes the event (to a broker, a webhook) and raises if it could not.
    Give ``deliver`` a timeout of its own (a kit ``Client`` has one): a delivery that outlasts
    the lease may be made a second time by another relay meanwhile.

    Run any number of relays on one outbox, in threads or processes; each claims its own
    events. Settings, with the reasons for their defaults:

    - ``batch=100``: events claimed per cycle; a batch must be deliverable within the lease.
    - ``lease=30.0`` seconds: how long a claim is exclusive, and so how long the events of a
      crashed relay wait before another takes them over. No delivery starts after it ends.
    - ``backoff_initial=1.0``, ``backoff_max=300.0`` seconds: a failed event waits
      ``backoff_initial * 2 ** (attempts - 1)``, at most ``backoff_max``, before its next
      attempt; five minutes keeps a long outage from costing more than a few attempts an
      hour per event, while a dependency back up gets its events within minutes.
    - ``idle=1.0`` second: how long :meth:`run_forever` sleeps after a cycle that delivered
      nothing, and so the latency of a new event when the outbox is quiet.
    - ``clock=time.time``: wall-clock seconds, because leases are compared between processes
      and hosts, whose clocks must agree to well within the lease; tests inject their own.
    - ``name``: how this relay's leases are labelled in ``lease_owner`` (default: host and
      process id).
    """

    def __init__(
        self,
        outbox: Outbox,
        deliver: Deliver,
        *,
        batch: int = 100,
        lease: float = 30.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 300.0,
        idle: float = 1.0,
        clock: Callable[[], float] = time.time,
        name: str | None = None,
    ) -> None:
        check("outbox", outbox, isinstance(outbox, Outbox), "an Outbox (SqliteOutbox, ...)")
        check("deliver", deliver, callable(deliver), "a callable taking an Event")
        check("batch", batch, is_count(batch), "an integer >= 1")
        check("lease", lease, is_seconds(lease), "a finite number of seconds > 0")
        for setting, value in (("backoff_initial", backoff_initial), ("idle", idle)):
            check(setting, value, is_seconds(value), "a finite number of seconds > 0")
        check(
            "backoff_max",
            backoff_max,
            is_seconds(backoff_max) and backoff_max >= backoff_initial,
            f"a finite number of seconds >= backoff_initial ({backoff_initial!r})",
        )
        check("clock", clock, callable(clock), "a callable returning wall-clock seconds")
        name = f"{socket.gethostname()}/{os.getpid()}" if name is None else name
        check("name", name, isinstance(name, str) and name != "", "a non-empty string")
        self.name = name
        self._outbox = outbox
        self._deliver = deliver
        # An async function, or an object whose __call__ is one.
        self._is_async = inspect.iscoroutinefunction(deliver) or inspect.iscoroutinefunction(
            type(deliver).__call__
        )
        self._batch = batch
        self._lease = float(lease)
        self._backoff_initial = float(backoff_initial)
        self._backoff_max = float(backoff_max)
        self._idle = float(idle)
        self._clock = clock

    def __repr__(self) -> str:
        return f"<Relay {self.name!r} of {self._outbox!r}>"

    # -- running it ---------------------------------------------------------------------------

    def run_once(self) -> RelayResult:
        """One cycle: claim a batch, deliver it, record the outcomes. Errors of the database
        propagate (the batch's leases then run out and its events are taken over)."""
        if self._is_async:
            raise TypeError(f"{self._deliver!r} is a coroutine function: use arun_once")
        driver = _Driver(self._cycle())
        while (step := driver.next_step()) is not None:
            try:
                driver.reply(self._run_step(step))
            except BaseException as exc:  # handed to the cycle, which decides
                driver.fail(exc)
        return driver.result

    async def arun_once(self) -> RelayResult:
        """:meth:`run_once` for asyncio: an async ``deliver`` is awaited, a sync one and the
        database calls run in worker threads, so the event loop never blocks."""
        driver = _Driver(self._cycle())
        while (step := driver.next_step()) is not None:
            try:
                driver.reply(await self._arun_step(step))
            except BaseException as exc:  # handed to the cycle, which decides
                driver.fail(exc)
        return driver.result

    def run_forever(self, stop: threading.Event) -> None:
        """Run cycles until ``stop`` is set, sleeping ``idle`` seconds (or until ``stop``)
        after a cycle that delivered nothing. The cycle under way when ``stop`` is set
        finishes first. Errors of the database propagate."""
        while not stop.is_set():
            if not self.run_once().delivered:
                stop.wait(self._idle)

    async def arun_forever(self, stop: asyncio.Event) -> None:
        """:meth:`run_forever` for asyncio."""
        while not stop.is_set():
            if not (await self.arun_once()).delivered:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._idle):
                        await stop.wait()

    # -- the cycle ----------------------------------------------------------------------------

    def _cycle(self) -> _Cycle:
        now = self._clock()
        until = now + self._lease
        # A fresh owner per claim: only this claim may record a failure of its events, even
        # if another relay runs under the same name (a forked copy of this one).
        owner = f"{self.name}/{secrets.token_hex(6)}"
        events: list[Event] = yield partial(
            self._outbox.claim, owner, now=now, until=until, limit=self._batch
        )
        delivered: list[Event] = []
        failed: list[tuple[Event, Exception]] = []
        for index, event in enumerate(events):
            if self._clock() >= until:
                abandoned = tuple(events[index:])
                logger.warning(
                    "relay %s: lease ran out with %d of %d events untried (lease %.1fs is too"
                    " short for batch %d); they are free to claim again",
                    self.name,
                    len(abandoned),
                    len(events),
                    self._lease,
                    self._batch,
                )
                return RelayResult(tuple(delivered), tuple(failed), abandoned)
            try:
                yield event
            except Exception as exc:
                delay = self._backoff(event.attempts + 1)
                logger.warning(
                    "relay %s: delivery of event %s (%s, attempt %d) failed; next attempt in %.1fs",
                    self.name,
                    event.id,
                    event.topic,
                    event.attempts + 1,
                    delay,
                    exc_info=exc,
                )
                error = f"{type(exc).__qualname__}: {exc}"
                at = self._clock() + delay
                yield partial(self._outbox.retry_later, event, owner, at=at, error=error)
                failed.append((event, exc))
            else:
                yield partial(self._outbox.delivered, event, now=self._clock())
                delivered.append(event)
        return RelayResult(tuple(delivered), tuple(failed))

    def _backoff(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt (1, 2, ...)."""
        return min(self._backoff_max, self._backoff_initial * 2.0 ** min(attempts - 1, 64))

    def _run_step(self, step: _Step) -> Any:
        if not isinstance(step, Event):
            return step()
        result = self._deliver(step)
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()
            raise TypeError(
                f"deliver returned {result!r}, an awaitable, from run_once: the event was not"
                " delivered; an async deliver needs arun_once or arun_forever"
            )
        return result

    async def _arun_step(self, step: _Step) -> Any:
        if not isinstance(step, Event):
            return await asyncio.to_thread(step)
        if self._is_async:
            return await self._deliver(step)  # type: ignore[misc]
        result = await asyncio.to_thread(self._deliver, step)
        return await result if inspect.isawaitable(result) else result


class _Driver:
    """Steps a cycle: each step's result is sent back into it, or its error thrown there."""

    def __init__(self, cycle: _Cycle) -> None:
        self._cycle = cycle
        self._reply: Any = None
        self._error: BaseException | None = None
        self.result = RelayResult()

    def next_step(self) -> _Step | None:
        """The cycle's next step, or None once it has returned :attr:`result`."""
        reply, error, self._reply, self._error = self._reply, self._error, None, None
        try:
            return self._cycle.send(reply) if error is None else self._cycle.throw(error)
        except StopIteration as done:
            self.result = done.value
            return None

    def reply(self, value: Any) -> None:
        self._reply = value

    def fail(self, error: BaseException) -> None:
        self._error = error
