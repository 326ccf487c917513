"""A brute-force linearizability oracle, written from the model contract as plainly as possible.

It tries every subset of the optional ops (info or never completed) and every order of the
chosen ops that respects real time, applying the model's rules from the initial state. It is
exponential, meant only for the cross-check's small histories, and shares no code with
``stormproof.history.lin``: a bug would have to be made twice to go unnoticed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, permutations
from typing import Any

from stormproof.history import History

FUNCTIONS: dict[str, tuple[str, ...]] = {
    "register": ("read", "write"),
    "cas-register": ("read", "write", "cas"),
    "kv": ("get", "put", "append"),
    "set": ("add", "read"),
    "counter": ("add", "read"),
}
READS = frozenset({"read", "get"})
"""Functions that cannot change state: an info or never-completed one constrains nothing."""
PARTITIONED = frozenset({"register", "cas-register", "kv"})
INITIAL: dict[str, Any] = {
    "register": None,
    "cas-register": None,
    "kv": "",
    "set": frozenset(),
    "counter": 0,
}


@dataclass(frozen=True)
class Call:
    """One operation as the check sees it."""

    f: str
    key: Any
    arg: Any
    """The value written (from the invoke) or read (from the ok completion)."""
    outcome: str
    """``ok``; ``fail`` (only a cas-register cas: the compare failed); ``info`` (it may never
    have happened; also an invoke that never completed)."""
    start: int
    """The invoke's history index."""
    end: float
    """The completion's history index; infinity for ``info``."""


def brute_linearizable(history: History, model: str, *, partition: bool = True) -> bool:
    """Whether ``history`` is linearizable for ``model``.

    ``partition=False`` checks every key in one search (one state per key) instead of key by
    key; linearizability is compositional, so both must give the same answer."""
    calls = _calls(history, model)
    if not partition or model not in PARTITIONED:
        return _order_exists(calls, model)
    keys = list(dict.fromkeys(call.key for call in calls))
    return all(_order_exists([call for call in calls if call.key == key], model) for key in keys)


def _calls(history: History, model: str) -> list[Call]:
    calls = []
    for invoke, done in history.pairs():
        if invoke.f not in FUNCTIONS[model]:
            raise ValueError(f"op {invoke.index}: the {model} model has no function {invoke.f!r}")
        outcome = "info" if done is None else done.type
        if outcome == "fail" and not (model == "cas-register" and invoke.f == "cas"):
            continue  # it did not happen
        if outcome == "info" and invoke.f in READS:
            continue  # a read that may never have happened constrains nothing
        arg = done.value if invoke.f in READS else invoke.value  # type: ignore[union-attr]
        end = math.inf if outcome == "info" else done.index  # type: ignore[union-attr]
        calls.append(Call(invoke.f, invoke.key, arg, outcome, invoke.index, end))
    return calls


def _order_exists(calls: list[Call], model: str) -> bool:
    required = [call for call in calls if call.outcome != "info"]
    optional = [call for call in calls if call.outcome == "info"]
    for size in range(len(optional) + 1):
        for chosen in combinations(optional, size):
            for order in permutations(required + list(chosen)):
                if _respects_real_time(order) and _legal(order, model):
                    return True
    return False


def _respects_real_time(order: Sequence[Call]) -> bool:
    """No op is placed before one that completed before it was invoked."""
    return not any(
        later.end < earlier.start for i, earlier in enumerate(order) for later in order[i + 1 :]
    )


def _legal(order: Sequence[Call], model: str) -> bool:
    states: dict[Any, Any] = {}  # key -> that key's state; set and counter have one state
    for call in order:
        key = call.key if model in PARTITIONED else None
        allowed, states[key] = _apply(model, states.get(key, INITIAL[model]), call)
        if not allowed:
            return False
    return True


def _apply(model: str, state: Any, call: Call) -> tuple[bool, Any]:
    """Whether ``call`` is allowed in ``state``, and the state after it."""
    arg = _tuples(call.arg)
    if model == "kv":
        if call.f == "get":
            return state == ("" if arg is None else arg), state
        return True, arg if call.f == "put" else state + arg
    if model == "set":
        if call.f == "read":
            return state == frozenset(arg), state
        return True, state | {arg}
    if model == "counter":
        if call.f == "read":
            return state == arg, state
        return True, state + arg
    # register and cas-register
    if call.f == "read":
        return state == arg, state
    if call.f == "write":
        return True, arg
    expected, new = arg
    if call.outcome == "ok":
        return state == expected, new
    if call.outcome == "fail":
        return state != expected, state
    return True, new if state == expected else state


def _tuples(value: Any) -> Any:
    """JSON lists and tuples are the same value: compare (and hash) both as tuples."""
    if isinstance(value, list | tuple):
        return tuple(_tuples(item) for item in value)
    return value
