"""What the register's two services share: the registers they serve and the routes for them.

``jsonhttp`` routes by exact (method, path) and answers only GET and POST, so the set of
registers is fixed here and a write is ``POST /registers/<key>`` rather than a PUT. Imported
by ``api.py``, ``store.py`` and ``workload.py`` as a sibling module."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import jsonhttp

KEYS = ("r0", "r1", "r2")
KeyedRoute = Callable[[str, Any], jsonhttp.Answer]
"""A handler for one register: (key, decoded JSON body) → (status, JSON-ready body)."""


def path(key: str) -> str:
    return f"/registers/{key}"


def cas_path(key: str) -> str:
    return f"/registers/{key}/cas"


def routes(read: KeyedRoute, write: KeyedRoute, cas: KeyedRoute) -> dict[tuple[str, str], Any]:
    """``GET /registers/<key>``, ``POST /registers/<key>`` (write) and ``POST
    /registers/<key>/cas`` for every register, each bound to its key."""
    table: dict[tuple[str, str], Any] = {}
    for key in KEYS:
        table[("GET", path(key))] = partial(read, key)
        table[("POST", path(key))] = partial(write, key)
        table[("POST", cas_path(key))] = partial(cas, key)
    return table


def values(body: Any, names: Sequence[str]) -> list[Any]:
    """The named fields of a JSON object, each present and not null (null is a register's
    "absent", never a value it can be set to); BadRequest naming the first that is not."""
    if not isinstance(body, dict):
        raise jsonhttp.BadRequest("the body must be a JSON object")
    found = [body.get(name) for name in names]
    for name, value in zip(names, found, strict=True):
        if value is None:
            raise jsonhttp.BadRequest(f"{name} must be given and not null")
    return found
