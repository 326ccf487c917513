"""The kit's errors: one base to catch, and the standard types callers already catch."""

from __future__ import annotations

import pytest

from stormproof.kit import (
    BulkheadFullError,
    CircuitOpenError,
    ConfigurationError,
    DeadlineExceededError,
    KitError,
    RejectedError,
    RetryBudgetExhaustedError,
)


@pytest.mark.parametrize("error", [CircuitOpenError, BulkheadFullError, RetryBudgetExhaustedError])
def test_a_refused_call_names_what_refused_it(error: type[RejectedError]) -> None:
    caught = error("payments", "refused")
    assert isinstance(caught, RejectedError) and isinstance(caught, KitError)
    assert caught.name == "payments" and str(caught) == "refused"


def test_misconfiguration_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="failure_rate"):
        raise ConfigurationError("failure_rate must be in (0, 1], not 1.5")


def test_a_passed_deadline_is_a_timeout() -> None:
    with pytest.raises(TimeoutError):
        raise DeadlineExceededError("the deadline passed 0.2 s ago")
