"""Hypothesis strategies: small valid histories for each linearizability model.

A history is drawn by running a tiny simulated system: processes invoke ops, each op takes
effect at one point of its own (or never), and it completes ok, fail or info, or not at all;
a read returns the state at its effect. Some completions then lie (a read returns a value
drawn at random, an op that happened reports fail, one that did not reports ok), so that both
verdicts are common. Domains are tiny (values 0..2 or "a"/"b", keys "x"/"y") for the same
reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from stormproof.history import History, Op
from tests.history.lin.brute import INITIAL, READS

MAX_OPS = 7
MAX_PROCESSES = 4

_INTS = st.integers(0, 2)
_LETTERS = st.sampled_from(["a", "b"])
_WRITES: dict[str, st.SearchStrategy[tuple[str, Any]]] = {
    "register": st.tuples(st.just("write"), _INTS),
    "cas-register": st.tuples(st.just("write"), _INTS)
    | st.tuples(st.just("cas"), st.lists(st.none() | _INTS, min_size=2, max_size=2)),
    "kv": st.tuples(st.sampled_from(["put", "append"]), _LETTERS),
    "set": st.tuples(st.just("add"), _INTS),
    "counter": st.tuples(st.just("add"), st.integers(-1, 2)),
}
"""(f, invoke value) of the functions that change state, per model."""
_WRONG_READS: dict[str, st.SearchStrategy[Any]] = {
    "register": st.none() | _INTS,
    "cas-register": st.none() | _INTS,
    "kv": st.sampled_from(["", None, "a", "b", "ab", "ba", "aa", "bb"]),
    "set": st.lists(_INTS, max_size=3),
    "counter": st.integers(-2, 4),
}
_KEYS: dict[str, st.SearchStrategy[tuple[str | None, ...]]] = {
    "register": st.sampled_from([(None,), ("x", "y")]),
    "cas-register": st.sampled_from([(None,), ("x", "y")]),
    "kv": st.just(("x", "y")),
    "set": st.just((None,)),
    "counter": st.just((None,)),
}


Emit = Callable[[str, "_Pending", Any], None]


@dataclass
class _Pending:
    """An op between its invoke and its effect (or its completion, whichever is later)."""

    process: int
    f: str
    key: str | None
    value: Any
    applied: bool = False
    succeeded: bool = True  # False: a cas whose compare failed
    result: Any = None  # what a read saw


@st.composite
def histories(
    draw: st.DrawFn, model: str, max_ops: int = MAX_OPS, max_processes: int = MAX_PROCESSES
) -> History:
    """A valid history of at most ``max_ops`` operations on at most ``max_processes``
    concurrent processes."""
    keys = draw(_KEYS[model])
    n_ops = draw(st.integers(1, max_ops))
    concurrency = draw(st.integers(1, max_processes))
    idle = list(range(concurrency))  # processes free to invoke
    next_process = concurrency
    state = dict.fromkeys(keys, INITIAL[model])
    open_: list[_Pending] = []  # invoked, not completed
    in_flight: list[_Pending] = []  # ended info or never completed, not yet applied
    ops: list[Op] = []
    invoked = 0

    def emit(type_: str, pending: _Pending, value: Any) -> None:
        ops.append(Op(pending.process, type_, pending.f, value, 10 * len(ops), key=pending.key))

    while invoked < n_ops or open_:
        actions = []
        if invoked < n_ops and idle:
            actions.append("invoke")
        if open_:
            actions += ["complete"] * 9 + ["abandon"]
        if any(not p.applied for p in open_ + in_flight):
            actions.append("apply")
        action = draw(st.sampled_from(actions))
        if action == "invoke":
            process = idle.pop(draw(st.integers(0, len(idle) - 1)))
            # Three in five calls read: a history's verdict rests on what its reads saw.
            read = draw(st.integers(0, 4)) < 3
            f, value = ("get" if model == "kv" else "read", None) if read else draw(_WRITES[model])
            pending = _Pending(process, f, draw(st.sampled_from(keys)), value)
            emit("invoke", pending, None if f in READS else value)
            open_.append(pending)
            invoked += 1
        elif action == "apply":
            unapplied = [p for p in open_ + in_flight if not p.applied]
            _apply(model, state, draw(st.sampled_from(unapplied)))
        else:
            pending = open_.pop(draw(st.integers(0, len(open_) - 1)))
            if action == "abandon" or not _complete(draw, model, state, pending, emit):
                idle.append(next_process)  # the process is gone: a new one takes its place
                next_process += 1
                if not pending.applied:
                    in_flight.append(pending)
            else:
                idle.append(pending.process)
    return History(ops)


def _complete(
    draw: st.DrawFn, model: str, state: dict[Any, Any], pending: _Pending, emit: Emit
) -> bool:
    """Emit ``pending``'s completion; False when it ended info (its process is retired)."""
    if not pending.applied and not _chance(draw, 1, 4):  # most ops that end did happen
        _apply(model, state, pending)
    if _chance(draw, 1, 6):
        emit("info", pending, draw(st.sampled_from([None, pending.value])))
        return False
    happened = pending.applied and pending.succeeded
    lie = _chance(draw, 1, 4)
    if happened == lie:  # the truth is "fail": it did not happen, or its compare failed
        emit("fail", pending, pending.value)
        return True
    if pending.f not in READS:
        emit("ok", pending, pending.value)
        return True
    if not pending.applied:  # it never happened: any value, which may yet be right
        result = draw(_WRONG_READS[model])
    elif _chance(draw, 3, 5):  # most reads report a value other than the one they saw
        seen = _canonical(model, pending.result)
        result = draw(_WRONG_READS[model].filter(lambda v: _canonical(model, v) != seen))
    else:
        result = pending.result
    emit("ok", pending, draw(_shown(model, result)))
    return True


def _canonical(model: str, read: Any) -> Any:
    """A read's value as the model compares it."""
    if model == "kv":
        return read or ""
    return frozenset(read) if model == "set" else read


def _chance(draw: st.DrawFn, k: int, n: int) -> bool:
    """True ``k`` times in ``n``; shrinks to False (the op behaves)."""
    return draw(st.integers(1, n)) > n - k


def _shown(model: str, result: Any) -> st.SearchStrategy[Any]:
    """The ways a client may report what a read saw."""
    if model == "kv" and result == "":
        return st.sampled_from(["", None])
    if model == "set":
        items = sorted(result)
        return st.permutations(items) | st.just(items + items[:1])  # order and repeats vary
    return st.just(result)


def _apply(model: str, state: dict[Any, Any], pending: _Pending) -> None:
    """The op takes effect on the simulated system's state."""
    pending.applied = True
    current = state[pending.key]
    value = pending.value
    if pending.f in READS:
        pending.result = current
    elif pending.f in ("write", "put"):
        state[pending.key] = value
    elif pending.f == "append":
        state[pending.key] = current + value
    elif pending.f == "cas":
        pending.succeeded = current == value[0]
        if pending.succeeded:
            state[pending.key] = value[1]
    elif model == "set":
        state[pending.key] = current | {value}
    else:  # counter add
        state[pending.key] = current + value
