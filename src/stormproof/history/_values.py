"""The values ops carry (JSON, as far as a workload keeps to it): checked, named in errors,
and compared."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

_KINDS: dict[type, str] = {
    dict: "an object",
    list: "a list",
    tuple: "a list",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def kind(value: Any) -> str:
    """What a value is, in JSON's words, for one-line errors that must not quote a
    megabyte of it: ``"a string"``, ``"null"``."""
    return _KINDS.get(type(value), type(value).__name__)


def shown(value: Any) -> str:
    """``repr`` cut short, for one-line errors: a bad line may hold a megabyte of JSON."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def is_number(value: Any) -> bool:
    # bool is an int to Python, never a balance or a delta to a workload.
    return isinstance(value, int | float) and not isinstance(value, bool)


def freeze(value: Any) -> Hashable:
    """A hashable stand-in for a JSON value that is equal exactly when the values are:
    lists become tuples and objects frozensets of their items (no list freezes to a
    frozenset, so a list of pairs never passes for an object). Numbers compare as Python
    compares them (1 == 1.0)."""
    if isinstance(value, str | int | float) or value is None:  # most values: cheap first
        return value
    if isinstance(value, Mapping):
        return frozenset((key, freeze(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value
