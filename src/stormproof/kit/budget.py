"""A retry budget: a cap on retries relative to real traffic, per target.

Per-call limits ("at most 3 attempts") are not enough on their own. When a dependency is
down, every caller retries every call, so a 3-attempt policy triples the load on a service
that is already failing, and every layer of a call chain multiplies it again. A retry
budget (Finagle's ``RetryBudget``, gRPC's retry throttling, Envoy's ``retry_budget``) bounds
the retries a client sends to one target as a share of its first attempts:

* each first attempt (:meth:`RetryBudget.record_request`) deposits ``ratio`` tokens;
* each retry (:meth:`RetryBudget.try_retry`) withdraws one token, and is refused when fewer
  than one token is left;
* a reserve of ``min_per_second * window`` tokens is always there, so a client with little
  traffic can still retry at ``min_per_second``;
* deposits and withdrawals expire after ``window`` seconds, so tokens saved in quiet times
  cannot fund a retry storm later (a sliding window, not a bucket that fills up forever).

The math. At any moment the tokens available are::

    min_per_second * window + ratio * (first attempts in the last window)
                            - (retries in the last window)

so a retry is granted only while the retries in the last window stay within
``min_per_second * window + ratio * first attempts`` of that window. Chaining windows gives
the bound the tests check (take the last retry in a span: the window ending at it holds at
most the reserve plus its deposits; step back to the last retry before that window and
repeat; fewer than ``T / window + 1.1`` such windows fit): over any span of ``T`` seconds::

    retries <= ratio * (first attempts in the span and the window before it)
               + min_per_second * (T + 1.1 * window)

that is, at steady state the retry rate is at most ``ratio`` times the request rate plus
``min_per_second`` (with the defaults: 20% extra load, plus 10 retries a second), however
long the outage lasts. The reserve may be spent in a burst; it is a floor, not a pace.

The window is kept as ten slices, so memory is constant whatever the traffic. An event
expires between ``0.9 * window`` and ``window`` after it happened, which is where the extra
tenth of a window in the bound comes from.
"""

from __future__ import annotations

import math
import numbers
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from stormproof.kit.errors import ConfigurationError, RetryBudgetExhaustedError

_SLICES = 10


@dataclass(frozen=True)
class RetryBudgetMetrics:
    """A snapshot of one budget: counts since creation, and the tokens available now."""

    requests: int
    retries_allowed: int
    retries_refused: int
    available: float


@dataclass
class _Slice:
    """The events of one tenth of the window; ``index`` says which tenth of time it holds."""

    index: int | None = None
    requests: int = 0
    retries: int = 0


def _setting(name: str, value: object, low: float, high: float, accepted: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise ConfigurationError(f"{name} must be {accepted}, got {value!r}")
    return float(value)


class RetryBudget:
    """Allow retries to one target up to ``ratio`` of its first attempts plus a floor of
    ``min_per_second``, over a sliding ``window`` of seconds. Thread-safe; share one per
    target among every caller of that target.

    Typical use around a call::

        budget.record_request()          # once per logical request, before the first attempt
        ...first attempt fails...
        if budget.try_retry():           # or budget.check_retry("payments"), which raises
            ...retry...
    """

    def __init__(
        self,
        *,
        ratio: float = 0.2,
        min_per_second: float = 10.0,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ratio = _setting("ratio", ratio, 0.0, 1.0, "between 0 and 1 (retries per request)")
        self.min_per_second = _setting(
            "min_per_second", min_per_second, 0.0, math.inf, "a finite number of at least 0"
        )
        # Finagle's range: shorter windows make the budget jumpy, longer ones let a past
        # surge of traffic fund a retry storm long after it has gone.
        self.window = _setting("window", window, 1.0, 60.0, "between 1 and 60 seconds")
        if not callable(clock):
            raise ConfigurationError(f"clock must be a callable returning seconds, got {clock!r}")
        self._reserve = self.min_per_second * self.window
        self._slice_seconds = self.window / _SLICES
        self._clock = clock
        self._lock = threading.Lock()
        self._slices = [_Slice() for _ in range(_SLICES)]
        self._requests = 0
        self._retries_allowed = 0
        self._retries_refused = 0

    def __repr__(self) -> str:
        return (
            f"RetryBudget(ratio={self.ratio:g}, min_per_second={self.min_per_second:g}, "
            f"window={self.window:g})"
        )

    def record_request(self) -> None:
        """Count a first attempt: it deposits ``ratio`` tokens. Retries are not requests;
        recording them would let a failing target fund its own retries."""
        with self._lock:
            self._current().requests += 1
            self._requests += 1

    def try_retry(self) -> bool:
        """Withdraw one token for a retry if one is available; ``False`` means do not retry."""
        return self._withdraw()[0]

    def check_retry(self, name: str) -> None:
        """Withdraw one token for a retry to target ``name``, or raise
        :class:`~stormproof.kit.errors.RetryBudgetExhaustedError`."""
        granted, balance = self._withdraw()
        if not granted:
            raise RetryBudgetExhaustedError(
                name,
                f"retry budget for {name!r} is spent: {max(balance, 0.0):.2f} tokens left, a "
                f"retry needs 1 (the budget allows {self.ratio:.0%} of requests plus "
                f"{self.min_per_second:g} per second over {self.window:g}s)",
            )

    def available(self) -> float:
        """Tokens available now. Never negative: retries funded by deposits that have
        since expired leave a debt, which reads as zero."""
        with self._lock:
            return max(self._balance(), 0.0)

    def metrics(self) -> RetryBudgetMetrics:
        with self._lock:
            return RetryBudgetMetrics(
                requests=self._requests,
                retries_allowed=self._retries_allowed,
                retries_refused=self._retries_refused,
                available=max(self._balance(), 0.0),
            )

    def _withdraw(self) -> tuple[bool, float]:
        with self._lock:
            balance = self._balance()
            granted = balance >= 1.0
            if granted:
                self._current().retries += 1
                self._retries_allowed += 1
            else:
                self._retries_refused += 1
            return granted, balance

    def _index(self) -> int:
        return math.floor(self._clock() / self._slice_seconds)

    def _current(self) -> _Slice:
        """The slice for now, emptied first if it still holds events a window old."""
        index = self._index()
        current = self._slices[index % _SLICES]
        if current.index != index:
            current.index, current.requests, current.retries = index, 0, 0
        return current

    def _balance(self) -> float:
        """Tokens now: the reserve, plus deposits, less withdrawals, of the live slices.
        Counts are integers, so no rounding error builds up over a long run."""
        now = self._index()
        live = [s for s in self._slices if s.index is not None and now - _SLICES < s.index <= now]
        requests = sum(s.requests for s in live)
        retries = sum(s.retries for s in live)
        return self._reserve + self.ratio * requests - retries
