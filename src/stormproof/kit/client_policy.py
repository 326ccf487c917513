"""What a :class:`~stormproof.kit.client.Client` does for every call to one target, checked
once when the client is built, and the breaker and retry budget each target shares.

A breaker or a budget protects a *target*, not a client object: a service that opens two
clients to ``payments`` (or builds one per request) must still see one failure rate and one
retry allowance for ``payments``, or each client would trip, and spend, on its own share of
the traffic. :func:`breaker_for` and :func:`budget_for` keep one of each per target for the
life of the process; ``breaker="default"`` and ``budget="default"`` (the defaults) use them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

import httpx

from stormproof.kit.breaker import CircuitBreaker
from stormproof.kit.budget import RetryBudget
from stormproof.kit.bulkhead import Bulkhead
from stormproof.kit.errors import ConfigurationError

MAX_ATTEMPTS = 10
"""More tries than this is a retry storm, whatever the backoff."""

SERVICE_FAILURES: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.HTTPStatusError,
)
"""What a target's default breaker counts as failures: no answer in time, a broken
connection, and 5xx answers (which the client reports to the breaker as
``httpx.HTTPStatusError``). A 4xx says the target is up and judged the request, and an
error in the caller's own code says nothing about the target: both count as successes."""

Default = Literal["default"]
T = TypeVar("T")

_registry_lock = threading.Lock()
_breakers: dict[str, CircuitBreaker] = {}
_budgets: dict[str, RetryBudget] = {}


def breaker_for(target: str) -> CircuitBreaker:
    """The circuit breaker every client of ``target`` uses by default (created on first use,
    with the breaker's defaults and :data:`SERVICE_FAILURES` as failures). Read its
    ``metrics()`` or add state-change listeners here."""
    _check_target(target)
    with _registry_lock:
        if target not in _breakers:
            _breakers[target] = CircuitBreaker(target, failure=SERVICE_FAILURES)
        return _breakers[target]


def budget_for(target: str) -> RetryBudget:
    """The retry budget every client of ``target`` uses by default (created on first use,
    with the budget's defaults)."""
    _check_target(target)
    with _registry_lock:
        if target not in _budgets:
            _budgets[target] = RetryBudget()
        return _budgets[target]


@dataclass(frozen=True)
class ClientPolicy:
    """The validated settings of one client; build it with :meth:`build`."""

    target: str
    timeout: float
    attempts: int
    breaker: CircuitBreaker | None
    budget: RetryBudget | None
    bulkhead: Bulkhead | None
    tracing: bool
    idempotency: bool

    @classmethod
    def build(
        cls,
        target: str,
        *,
        timeout: float | None,
        attempts: int,
        breaker: CircuitBreaker | Default | None,
        budget: RetryBudget | Default | None,
        bulkhead: Bulkhead | None,
        tracing: bool,
        idempotency: bool,
    ) -> ClientPolicy:
        """Check every setting, raising :class:`ConfigurationError` naming the first bad one,
        and resolve ``"default"`` to the target's shared breaker and budget."""
        _check_target(target)
        if isinstance(attempts, bool) or not isinstance(attempts, int):
            raise ConfigurationError(
                f"attempts must be an integer from 1 to {MAX_ATTEMPTS}, got {attempts!r}"
            )
        if not 1 <= attempts <= MAX_ATTEMPTS:
            raise ConfigurationError(
                f"attempts must be from 1 (no retries) to {MAX_ATTEMPTS} tries in all, the "
                f"first included, got {attempts}"
            )
        for name, value in (("tracing", tracing), ("idempotency", idempotency)):
            if not isinstance(value, bool):
                raise ConfigurationError(f"{name} must be True or False, got {value!r}")
        if bulkhead is not None and not isinstance(bulkhead, Bulkhead):
            raise ConfigurationError(f"bulkhead must be a Bulkhead or None, got {bulkhead!r}")
        return cls(
            target=target,
            timeout=check_timeout(timeout),
            attempts=attempts,
            breaker=_resolve("breaker", breaker, CircuitBreaker, breaker_for, target),
            budget=_resolve("budget", budget, RetryBudget, budget_for, target),
            bulkhead=bulkhead,
            tracing=tracing,
            idempotency=idempotency,
        )


def check_timeout(timeout: object, setting: str = "timeout") -> float:
    """A timeout in seconds, or :class:`ConfigurationError`. There is no "no timeout": a call
    without one can hang its caller forever on a peer that accepted the connection and then
    went silent."""
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise ConfigurationError(
            f"{setting} must be a finite number of seconds above 0 (a call without a timeout "
            f"can hang forever), got {timeout!r}"
        )
    return float(timeout)


def _resolve(
    setting: str,
    value: T | Default | None,
    kind: type[T],
    shared: Callable[[str], T],
    target: str,
) -> T | None:
    if value is None or isinstance(value, kind):
        return value
    if value == "default":
        return shared(target)
    raise ConfigurationError(
        f"{setting} must be 'default' (the one {target!r} shares), a {kind.__name__}, or None "
        f"(off), got {value!r}"
    )


def _check_target(target: object) -> None:
    if not isinstance(target, str) or not target:
        raise ConfigurationError(
            f"target must be the callee's service name (a non-empty string), got {target!r}"
        )
