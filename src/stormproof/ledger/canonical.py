"""Canonical JSON: the one byte string an entry hashes to.

Keys sorted, no insignificant whitespace, UTF-8, and only the JSON types that serialise one
way (objects, arrays, strings, integers, booleans, null). Floats are refused: their text form
differs between languages and versions, so an entry holding one could hash differently when
another tool verifies it. Anything richer (check results) goes into a blob."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical(value: Any) -> bytes:
    """The canonical bytes of ``value``; TypeError if it holds a float or another type."""
    _refuse_floats(value)
    return encode(value)


def encode(value: Any) -> bytes:
    """:func:`canonical` for a value known to hold no float (one :func:`parse` returned)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def parse(data: bytes) -> Any:
    """JSON bytes to a value; TypeError if they hold a float (canonical JSON has none)."""
    return json.loads(data, parse_float=_no_float, parse_constant=_no_float)


def _no_float(text: str) -> Any:
    raise TypeError(f"an entry holds only strings, integers, booleans and null, not {text}")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _refuse_floats(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"entry keys must be strings, not {key!r}")
            _refuse_floats(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_floats(item)
    elif not (value is None or isinstance(value, str | int | bool)):
        raise TypeError(f"an entry holds only strings, integers, booleans and null, not {value!r}")
