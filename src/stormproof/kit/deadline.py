"""Deadlines: how much time the current request has left, carried across calls and services.

A timeout per call is not enough in a call chain. If the gateway gives up on a booking after
2 seconds, the booking service should not go on calling payments for another 10 seconds on
the gateway's behalf: nobody is waiting for that answer, and the work only adds load. A
deadline is the time the whole request has left. It lives in a contextvar, so it follows the
request through ``await``, into tasks it starts and into ``asyncio.to_thread``, while
requests handled at the same time (other tasks, other threads) each keep their own::

    with deadline(2.0):                  # or: async with deadline(2.0):
        timeout = timeout_for(5.0)       # min(5.0, time left); raises once it has passed
        httpx.get(url, timeout=timeout, headers=to_headers())

A thread started with ``threading.Thread`` starts with an empty context, hence without the
deadline; ``asyncio.to_thread`` and ``contextvars.copy_context().run`` carry it over.

Nested deadlines never extend an outer one: the earlier of the two wins, and the outer one
is back in force when the inner block exits. The one way out is :func:`detached`, for work
that must finish whoever is waiting for it (a saga's compensations).

Across services the deadline travels in the ``X-Stormproof-Deadline`` header as the time
*remaining*, in whole milliseconds, not as a wall-clock instant: the two hosts' clocks need
not agree (gRPC's ``grpc-timeout`` header does the same, for the same reason). Each host
measures with its own monotonic clock from the moment it reads the header; time spent in
transit is not counted against the receiver, and the caller's own timeout covers it.
:func:`from_headers` (or :class:`DeadlineMiddleware`, for every request of an ASGI app) puts
the caller's deadline in force for the handler.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from stormproof.kit.errors import ConfigurationError, DeadlineExceededError

HEADER = "X-Stormproof-Deadline"

logger = logging.getLogger(__name__)

# Whole milliseconds, optionally signed; 15 digits is over 30,000 years.
_MILLISECONDS = re.compile(r"[+-]?[0-9]{1,15}")


@dataclass(frozen=True)
class Deadline:
    """An instant on ``clock`` (by default ``time.monotonic``) by which the work must be done."""

    expires_at: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)

    def remaining(self) -> float:
        """Seconds left; negative once the deadline has passed."""
        return self.expires_at - self.clock()


_current: ContextVar[Deadline | None] = ContextVar("stormproof_deadline", default=None)


class DeadlineScope:
    """Puts a deadline in force for a ``with`` or ``async with`` block; what
    :func:`deadline` and :func:`from_headers` return. The clock starts on entering the block.
    It yields the deadline in force inside, or ``None`` when there is none."""

    def __init__(
        self, seconds: float | None, clock: Callable[[], float], *, inherit: bool = True
    ) -> None:
        self._seconds = seconds
        self._clock = clock
        self._inherit = inherit
        self._token: Token[Deadline | None] | None = None

    def __enter__(self) -> Deadline | None:
        if self._token is not None:
            raise RuntimeError("this deadline block is already entered; call deadline() again")
        candidates = [_current.get() if self._inherit else None]
        if self._seconds is not None:
            candidates.append(Deadline(self._clock() + self._seconds, self._clock))
        known = [d for d in candidates if d is not None]
        effective = min(known, key=Deadline.remaining) if known else None
        self._token = _current.set(effective)
        return effective

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._token is not None, "exit without enter"
        _current.reset(self._token)
        self._token = None

    async def __aenter__(self) -> Deadline | None:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)


def _seconds(name: str, value: object, *, zero_ok: bool = False) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not (value > 0 or (zero_ok and value == 0))
    ):
        bound = "at least 0" if zero_ok else "above 0"
        raise ConfigurationError(
            f"{name} must be a finite number of seconds {bound}, got {value!r}"
        )
    return float(value)


def deadline(seconds: float, *, clock: Callable[[], float] = time.monotonic) -> DeadlineScope:
    """A block that must finish within ``seconds``, or within the deadline already in force
    if that is earlier."""
    return DeadlineScope(_seconds("deadline seconds", seconds), clock)


def detached() -> DeadlineScope:
    """A block with no deadline in force, whatever the caller's: for work that must run to
    its end once begun, because stopping half way is worse than finishing late (the
    orchestrator runs every saga step so, so that a caller who gave up cannot leave a saga's
    compensations undone). Each call in it is still bounded by its own timeout."""
    return DeadlineScope(None, time.monotonic, inherit=False)


def remaining() -> float | None:
    """Seconds left before the deadline in force (negative once passed); ``None`` without one."""
    found = _current.get()
    return None if found is None else found.remaining()


def _enforce(left: float, min_seconds: float) -> None:
    if left <= 0:
        raise DeadlineExceededError(f"deadline exceeded: it passed {abs(left):.3f}s ago")
    if left < min_seconds:
        raise DeadlineExceededError(
            f"deadline too close: {left:.3f}s left, less than the {min_seconds:.3f}s needed"
        )


def check(min_seconds: float = 0.0) -> None:
    """Raise :class:`~stormproof.kit.errors.DeadlineExceededError` if the deadline in force
    has passed or leaves less than ``min_seconds``. Without a deadline, do nothing."""
    min_seconds = _seconds("min_seconds", min_seconds, zero_ok=True)
    left = remaining()
    if left is not None:
        _enforce(left, min_seconds)


def timeout_for(default: float) -> float:
    """The timeout for one attempt: ``default``, cut down to the time left before the
    deadline in force. Raises :class:`~stormproof.kit.errors.DeadlineExceededError` if it has
    already passed, so no attempt starts that could not finish in time."""
    default = _seconds("default timeout", default)
    left = remaining()
    if left is None:
        return default
    _enforce(left, 0.0)
    return min(default, left)


def to_headers() -> dict[str, str]:
    """The header that carries the deadline in force to the next service: the remaining
    milliseconds, rounded down (never promise the callee time the caller does not have).
    Empty without a deadline."""
    left = remaining()
    if left is None:
        return {}
    return {HEADER: str(max(math.floor(left * 1000), 0))}


def from_headers(
    headers: Mapping[str, str], *, clock: Callable[[], float] = time.monotonic
) -> DeadlineScope:
    """A block under the deadline the caller sent in ``headers`` (the header name is matched
    case-insensitively). Zero or negative milliseconds give an already expired deadline. A
    missing header gives no deadline; a malformed one is logged as a warning and ignored, so
    a bad header from a caller never fails the request by itself."""
    wanted = HEADER.lower()
    value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    if value is None:
        return DeadlineScope(None, clock)
    if not _MILLISECONDS.fullmatch(value.strip()):
        logger.warning(
            "ignoring %s header %r: expected the remaining time in whole milliseconds",
            HEADER,
            value[:64],
        )
        return DeadlineScope(None, clock)
    return DeadlineScope(int(value) / 1000, clock)


_Scope = MutableMapping[str, Any]
_Message = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[_Message]]
_Send = Callable[[_Message], Awaitable[None]]
_App = Callable[[_Scope, _Receive, _Send], Awaitable[None]]


class DeadlineMiddleware:
    """ASGI middleware that puts each HTTP request's ``X-Stormproof-Deadline`` in force for
    its handler, so that the handler's own calls (through the kit's Client, or with
    :func:`timeout_for`) get only the time the caller has left.

    A request that arrives with its deadline already passed is answered ``504`` with a JSON
    body and never reaches the app: the caller has given up, so any work done would be
    thrown away. A handler that is running when the deadline passes is not cut off (that
    could leave its work half done); it sees the deadline through :func:`check` and
    :func:`timeout_for`."""

    def __init__(self, app: _App, *, clock: Callable[[], float] = time.monotonic) -> None:
        if not callable(clock):
            raise ConfigurationError(f"clock must be a callable returning seconds, got {clock!r}")
        self.app = app
        self._clock = clock

    async def __call__(self, scope: _Scope, receive: _Receive, send: _Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        async with from_headers(headers, clock=self._clock) as found:
            left = None if found is None else found.remaining()
            if left is not None and left <= 0:
                await _deadline_passed(send, abs(left))
                return
            await self.app(scope, receive, send)


async def _deadline_passed(send: _Send, late: float) -> None:
    body = json.dumps(
        {"detail": f"deadline exceeded: the caller's deadline passed {late:.3f}s ago"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 504,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
