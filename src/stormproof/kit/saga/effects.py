"""One implementation of the orchestrator's logic for sync and async callers.

The logic is a generator (a *process*) that never blocks and never awaits: it yields each
thing it needs done (an :class:`Call` of a function, a :class:`Sleep`) and is sent back the
outcome, or has the exception thrown in. :func:`drive` performs the effects in the calling
thread; :func:`drive_async` awaits coroutine functions, and runs blocking ones (the SQLite log,
a plain step) in a worker thread so that the event loop never stalls. The two drivers are the
only code that differs, and they decide nothing."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call:
    """Call ``fn(*args)``; ``awaitable`` when ``fn`` is a coroutine function."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    awaitable: bool = False

    def run(self) -> Any:
        if self.awaitable:  # the orchestrator refuses async sagas before driving them
            raise TypeError(f"{self.fn!r} is async: it can run only under the async API")
        return self.fn(*self.args)

    async def run_async(self) -> Any:
        if self.awaitable:
            return await self.fn(*self.args)
        return await asyncio.to_thread(self.fn, *self.args)


@dataclass(frozen=True, slots=True)
class Sleep:
    """Pause ``seconds``, with ``sleep`` if given (sync, or async under the async driver)."""

    seconds: float
    sleep: Callable[[float], object] | None = None

    def run(self) -> None:
        (self.sleep or time.sleep)(self.seconds)

    async def run_async(self) -> None:
        if self.sleep is None:
            await asyncio.sleep(self.seconds)
            return
        paused = self.sleep(self.seconds)
        if inspect.isawaitable(paused):
            await paused


Effect = Call | Sleep
Process = Generator[Effect, Any, T]


def drive(process: Process[T]) -> T:
    """Run ``process`` to its end in this thread; its return value, or its exception."""
    reply: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = process.send(reply) if error is None else process.throw(error)
        except StopIteration as end:
            return end.value  # type: ignore[no-any-return]
        try:
            reply, error = effect.run(), None
        except BaseException as exc:  # thrown into the process, which decides
            reply, error = None, exc


async def drive_async(process: Process[T]) -> T:
    """:func:`drive` for the event loop: the same process, its effects awaited."""
    reply: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = process.send(reply) if error is None else process.throw(error)
        except StopIteration as end:
            return end.value  # type: ignore[no-any-return]
        try:
            reply, error = await effect.run_async(), None
        except BaseException as exc:  # thrown into the process, which decides
            reply, error = None, exc
