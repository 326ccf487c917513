"""A bulkhead: a cap on how many calls to one dependency may be in flight at once.

Without one, a slow dependency soaks up every worker, connection and coroutine the service
has, and the service stops answering calls that never touch that dependency. A bulkhead
keeps the damage in one compartment: once ``max_concurrent`` calls are in flight, the next
one is refused at once with :class:`~stormproof.kit.errors.BulkheadFullError` (nothing is
sent, so the caller may fail fast, fall back or shed load). There is deliberately no queue
(resilience4j's SemaphoreBulkhead with a maximum wait of zero): waiting for a slot only moves
the pile-up from the dependency into the caller.

One lock-guarded counter serves threads and coroutines alike. Admission never blocks, so the
lock is held for a few instructions and is safe to take on an event loop; a slot is given
back however the call ends, by a return, an exception or cancellation.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ParamSpec, TypeVar, overload

from stormproof.kit.errors import BulkheadFullError, ConfigurationError

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class BulkheadMetrics:
    """A snapshot of one bulkhead. ``admitted`` and ``rejected`` count since creation;
    ``peak_in_flight`` is the most calls ever in flight together (never above
    ``max_concurrent``)."""

    in_flight: int
    max_concurrent: int
    admitted: int
    rejected: int
    peak_in_flight: int


class Bulkhead:
    """Admit at most ``max_concurrent`` calls at once; refuse the rest immediately.

    Use whichever form fits the code; they share one counter::

        payments = Bulkhead("payments", max_concurrent=10)

        payments.call(charge, order)            # sync
        await payments.call_async(charge, order)  # async

        @payments                               # sync or async functions
        async def charge(order): ...

        with payments: ...                      # or: async with payments: ...

    A refused call raises :class:`~stormproof.kit.errors.BulkheadFullError`; the wrapped
    function is not called. Errors from the call itself propagate unchanged.
    """

    def __init__(self, name: str, *, max_concurrent: int) -> None:
        if not isinstance(name, str) or not name:
            raise ConfigurationError(f"name must be a non-empty string, got {name!r}")
        if isinstance(max_concurrent, bool) or not isinstance(max_concurrent, int):
            raise ConfigurationError(
                f"max_concurrent must be an integer of at least 1, got {max_concurrent!r}"
            )
        if max_concurrent < 1:
            raise ConfigurationError(
                f"max_concurrent must be at least 1 (a smaller bulkhead refuses every call), "
                f"got {max_concurrent}"
            )
        self.name = name
        self.max_concurrent = max_concurrent
        self._lock = threading.Lock()
        self._in_flight = 0
        self._admitted = 0
        self._rejected = 0
        self._peak = 0

    def __repr__(self) -> str:
        return f"Bulkhead({self.name!r}, max_concurrent={self.max_concurrent})"

    def metrics(self) -> BulkheadMetrics:
        with self._lock:
            return BulkheadMetrics(
                in_flight=self._in_flight,
                max_concurrent=self.max_concurrent,
                admitted=self._admitted,
                rejected=self._rejected,
                peak_in_flight=self._peak,
            )

    def _acquire(self) -> None:
        with self._lock:
            full = self._in_flight >= self.max_concurrent
            if full:
                self._rejected += 1
            else:
                self._in_flight += 1
                self._admitted += 1
                self._peak = max(self._peak, self._in_flight)
        if full:
            raise BulkheadFullError(
                self.name,
                f"bulkhead {self.name!r} is full: {self.max_concurrent} of "
                f"{self.max_concurrent} calls in flight",
            )

    def _release(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def __enter__(self) -> Bulkhead:
        self._acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._release()

    async def __aenter__(self) -> Bulkhead:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)

    def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(*args, **kwargs)`` in a slot, or raise BulkheadFullError at once."""
        with self:
            return fn(*args, **kwargs)

    async def call_async(
        self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Await ``fn(*args, **kwargs)`` in a slot, or raise BulkheadFullError at once.
        The slot is held until the awaitable finishes, fails or is cancelled."""
        async with self:
            return await fn(*args, **kwargs)

    @overload
    def __call__(
        self, fn: Callable[P, Coroutine[Any, Any, T]]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...

    @overload
    def __call__(self, fn: Callable[P, T]) -> Callable[P, T]: ...

    def __call__(self, fn: Callable[P, Any]) -> Callable[P, Any]:
        """Decorate a sync or async function so that every call goes through this bulkhead."""
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def guarded_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                return await self.call_async(fn, *args, **kwargs)

            return guarded_async

        @functools.wraps(fn)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> Any:
            return self.call(fn, *args, **kwargs)

        return guarded
