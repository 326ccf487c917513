"""``check_linearizable``: one history, one model, a time budget, one verdict."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from stormproof.history.history import History
from stormproof.history.lin.append_witness import append_witness
from stormproof.history.lin.appends import append_key
from stormproof.history.lin.models import Model, model_named
from stormproof.history.lin.problem import Problem, problems
from stormproof.history.lin.result import LinResult
from stormproof.history.lin.search import OutOfTime, Search
from stormproof.history.lin.witness import witness
from stormproof.history.op import Op
from stormproof.history.verdict import Validity


def check_linearizable(
    history: History,
    model: str | Model,
    *,
    timeout: float | None = None,
    select: Callable[[Op], bool] | None = None,
) -> LinResult:
    """Whether ``history`` is linearizable with respect to ``model`` (a name from
    :data:`~stormproof.history.lin.MODEL_NAMES`, or a :class:`Model`).

    Keys are checked apart when the model allows it, smallest first, and the first key
    that is not linearizable decides (its witness is reported). A ``kv`` key that only
    appends distinct strings is decided in polynomial time (:mod:`.appends`), the others by
    the general search. ``timeout`` (seconds) bounds the whole check: when it runs out the
    verdict is "unknown", unless a key already failed. ``select`` picks the ops to check, by
    their invoke (default: all of them), for a history that also holds ops of other kinds.
    Raises ValueError for an unknown model, and :class:`~stormproof.history.lin.OpError` for
    an op the model cannot take."""
    spec = model_named(model) if isinstance(model, str) else model
    started = time.monotonic()
    deadline = None if timeout is None else started + timeout
    parts = sorted(problems(history, spec, select), key=lambda p: len(p.events))
    ops = sum(len(part.steps) for part in parts)
    expanded = 0
    out_of_time: Problem | None = None
    for part in parts:
        valid, found, spent = _check_key(history, spec, part, deadline)
        expanded += spent
        if valid == "unknown":
            out_of_time = part
            break
        if not valid:
            return LinResult(
                spec.name, False, ops, len(parts), time.monotonic() - started, expanded, found
            )
    seconds = time.monotonic() - started
    if out_of_time is not None:
        where = "" if out_of_time.key is None else f" on key {out_of_time.key!r}"
        reason = f"time budget of {timeout:g} s ran out{where} after {expanded} configurations"
        return LinResult(spec.name, "unknown", ops, len(parts), seconds, expanded, reason=reason)
    return LinResult(spec.name, True, ops, len(parts), seconds, expanded)


def _check_key(
    history: History, spec: Model, part: Problem, deadline: float | None
) -> tuple[Validity, dict[str, Any] | None, int]:
    """One key's verdict, its witness when it is not linearizable, and the configurations
    the general search expanded."""
    fast = append_key(history, spec, part)
    if fast is not None:
        if fast.judge().linearizable:
            return True, None, 0
        return False, *append_witness(history, spec, fast, deadline)
    search = Search(part, deadline)
    try:
        outcome = search.run()
    except OutOfTime:
        return "unknown", None, search.expanded
    if outcome.linearizable:
        return True, None, search.expanded
    return False, witness(history, spec, search, outcome), search.expanded
