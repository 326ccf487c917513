"""Validation of settings, shared by the outbox's classes: a bad one raises
:class:`ConfigurationError` naming the setting and what it accepts."""

from __future__ import annotations

import math

from stormproof.kit.errors import ConfigurationError


def check(setting: str, value: object, ok: bool, accepted: str) -> None:
    if not ok:
        raise ConfigurationError(f"{setting} must be {accepted}, not {value!r}")


def is_seconds(value: object) -> bool:
    """A finite number of seconds > 0 (a bool is not a number here)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def is_count(value: object) -> bool:
    """An integer >= 1 (a bool is not a number here)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def age(older_than: object) -> float:
    """The ``older_than`` argument of a purge: seconds >= 0, or a TypeError / ValueError
    (an argument, not a setting: wrong at the call, not at construction)."""
    if isinstance(older_than, bool) or not isinstance(older_than, int | float):
        raise TypeError(f"older_than must be a number of seconds, not {older_than!r}")
    if not 0 <= older_than < math.inf:
        raise ValueError(f"older_than must be a finite number of seconds >= 0, not {older_than!r}")
    return float(older_than)
