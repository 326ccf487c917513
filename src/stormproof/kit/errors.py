"""What the kit raises. Every error a caller may want to catch derives from
:class:`KitError`; misconfiguration is a :class:`ConfigurationError` (also a ValueError)
raised when the object is built, never on the first call."""

from __future__ import annotations


class KitError(Exception):
    """Base of every error the kit raises at run time."""


class ConfigurationError(KitError, ValueError):
    """A primitive built with settings that cannot work (a threshold out of range, a
    missing store). The message names the setting and the accepted range."""


class RejectedError(KitError):
    """A call refused without being attempted: nothing was sent, so it is safe to retry
    elsewhere or later. ``name`` is the primitive that refused (a breaker's, a bulkhead's
    name)."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(message)


class CircuitOpenError(RejectedError):
    """The circuit breaker is open (or half-open with every trial call taken)."""


class BulkheadFullError(RejectedError):
    """The bulkhead's concurrency limit is reached."""


class RetryBudgetExhaustedError(RejectedError):
    """The retry budget for a target is spent: retrying now would multiply load."""


class DeadlineExceededError(KitError, TimeoutError):
    """The caller's deadline has passed (or leaves less time than the call needs)."""
