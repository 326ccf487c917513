"""Hypothesis strategies: small ``kv`` histories on which every append writes its own value,
the histories the fast path for append-only keys is for.

Like ``strategies.histories``, a history is drawn by running a tiny simulated store: each
op takes effect at one point of its own (or never) and completes ok, fail or info, or not
at all; a get returns the key's string at its effect. Then some completions lie so that
both verdicts are common: an append that happened reports fail (and a get may have seen
it), one that did not reports ok (a lost append), a get reports a string it did not see:
the appends it saw in another order, with one missing, one added (perhaps one not invoked
yet), one repeated, or a stray character. A few values are two letters long, some of them
the concatenation of two others ("ab" and "a", "b"), so that a get's string sometimes
splits two ways and the fast path must decline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from stormproof.history import History, Op

MAX_OPS = 7
MAX_PROCESSES = 4
VALUES = ("a", "b", "ab", "c", "xy", "d", *"efghijklmnopqrstuvwABCDEFGHIJ")
"""Append values, each used at most once per key (so at most this many ops per key), mostly
among the first few still unused: "ab" can make a string split two ways, "xy" cannot."""
KEYS = ("x",)


Emit = Callable[[str, "_Pending", "str | None"], None]


@dataclass
class _Pending:
    process: int
    f: str
    key: str
    value: str | None
    applied: bool = False
    seen: str = ""  # what a get saw


@st.composite
def append_histories(
    draw: st.DrawFn,
    max_ops: int = MAX_OPS,
    max_processes: int = MAX_PROCESSES,
    keys: tuple[str, ...] = KEYS,
) -> History:
    """A history of at most ``max_ops`` gets and appends (each value once per key) by at
    most ``max_processes`` concurrent processes, over ``keys``."""
    n_ops = draw(st.integers(min(3, max_ops), max_ops))
    concurrency = draw(st.integers(1, max_processes))
    idle = list(range(concurrency))
    next_process = concurrency
    state = dict.fromkeys(keys, "")
    unused = {key: list(VALUES) for key in keys}
    open_: list[_Pending] = []
    in_flight: list[_Pending] = []
    ops: list[Op] = []
    invoked = 0

    def emit(type_: str, pending: _Pending, value: str | None) -> None:
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
            key = draw(st.sampled_from(keys))
            if draw(st.integers(0, 1)):  # half the calls read
                pending = _Pending(process, "get", key, None)
            else:
                values = unused[key]
                value = values.pop(draw(st.integers(0, min(3, len(values) - 1))))
                pending = _Pending(process, "append", key, value)
            emit("invoke", pending, pending.value)
            open_.append(pending)
            invoked += 1
        elif action == "apply":
            unapplied = [p for p in open_ + in_flight if not p.applied]
            _apply(state, draw(st.sampled_from(unapplied)))
        else:
            pending = open_.pop(draw(st.integers(0, len(open_) - 1)))
            if action == "abandon" or not _complete(draw, state, pending, emit):
                idle.append(next_process)  # the process is gone: a new one takes its place
                next_process += 1
                if not pending.applied:
                    in_flight.append(pending)
            else:
                idle.append(pending.process)
    return History(ops)


def _complete(draw: st.DrawFn, state: dict[str, str], pending: _Pending, emit: Emit) -> bool:
    """Emit ``pending``'s completion; False when it ended info."""
    if not pending.applied and not _chance(draw, 1, 3):  # most ops that end did happen
        _apply(state, pending)
    if _chance(draw, 1, 6):
        emit("info", pending, None if pending.f == "get" else pending.value)
        return False
    if pending.applied == _chance(draw, 1, 4):  # the truth is "fail", or a lie says so
        emit("fail", pending, pending.value)
        return True
    if pending.f == "append":
        emit("ok", pending, pending.value)
        return True
    seen = pending.seen if pending.applied else state[pending.key]
    if _chance(draw, 3, 5):  # most gets report something else
        seen = draw(_wrong(seen))
    emit("ok", pending, draw(st.sampled_from([None, ""])) if seen == "" else seen)
    return True


def _apply(state: dict[str, str], pending: _Pending) -> None:
    """``pending`` takes effect on the simulated store."""
    pending.applied = True
    if pending.f == "get":
        pending.seen = state[pending.key]
    else:
        state[pending.key] += pending.value or ""


def _wrong(seen: str) -> st.SearchStrategy[str]:
    """A string a get might wrongly report, built from ``seen``'s characters."""
    letters = list(seen)
    reordered = st.permutations(letters).map("".join)
    missing = st.integers(0, max(0, len(seen) - 1)).map(lambda i: seen[:i] + seen[i + 1 :])
    added = st.sampled_from(VALUES).map(lambda value: seen + value)
    repeated = st.just(seen + seen[-1:])
    stray = st.just(seen + "z")
    return st.one_of(reordered, missing, added, repeated, stray)


def _chance(draw: st.DrawFn, k: int, n: int) -> bool:
    """True ``k`` times in ``n``; shrinks to False (the op behaves)."""
    return draw(st.integers(1, n)) > n - k
