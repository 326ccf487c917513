"""Validation of settings, shared by the kit's classes: a bad one raises
:class:`ConfigurationError` naming the setting and what it accepts. A bool is never a
number here (``True`` seconds is a bug, not one second)."""

from __future__ import annotations

import math

from stormproof.kit.errors import ConfigurationError


def check(setting: str, value: object, ok: bool, accepted: str) -> None:
    if not ok:
        raise ConfigurationError(f"{setting} must be {accepted}, not {value!r}")


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_seconds(value: object) -> bool:
    """A finite number of seconds > 0."""
    return is_number(value) and 0 < value < math.inf  # type: ignore[operator]


def is_int(value: object, least: int) -> bool:
    """An integer >= ``least``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def is_count(value: object) -> bool:
    """An integer >= 1."""
    return is_int(value, 1)


def age(older_than: object) -> float:
    """The ``older_than`` argument of a purge: seconds >= 0, or a TypeError / ValueError
    (an argument, not a setting: wrong at the call, not at construction)."""
    if isinstance(older_than, bool) or not isinstance(older_than, int | float):
        raise TypeError(f"older_than must be a number of seconds, not {older_than!r}")
    if not 0 <= older_than < math.inf:
        raise ValueError(f"older_than must be a finite number of seconds >= 0, not {older_than!r}")
    return float(older_than)
