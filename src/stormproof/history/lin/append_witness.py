"""The witness for an append-only key that the fast path (:mod:`.appends`) found not
linearizable, in the shape every witness has.

First choice: the general search's own witness (the states the model could have been in, a
linearization of the prefix), when the search can reach a verdict within a fixed number of
configurations. That number, not the clock, bounds it, so that the same history always gets
the same witness. On a key too big for that, the fast path builds the witness itself: it
bisects for the first return after which no prefix is linearizable (prefixes only get worse,
so that is the op the general search would name), takes a linearization of everything
before it from its own graph, and in place of the states says why the op cannot be placed:
a cycle of ops each of which had to take effect before the next (through the op, or
through appends in the order its string revealed), each with its reason; or the gets whose
strings cannot be made, or cannot both be."""

from __future__ import annotations

from typing import Any

from stormproof.history.history import History
from stormproof.history.lin.appends import AppendKey, Edge, Judgement, common_prefix
from stormproof.history.lin.explain import show_op
from stormproof.history.lin.models import Model
from stormproof.history.lin.problem import Problem
from stormproof.history.lin.search import OutOfTime, Search
from stormproof.history.lin.witness import describe, frame, witness

SEARCH_CONFIGURATIONS = 20_000
"""Configurations the general search may expand to reach its verdict, and as many again for
its witness: a few tenths of a second."""

EXCERPT = 24
"""Characters of a long string shown on each side of the place that matters."""


class BoundedSearch(Search):
    """The general search, stopped (OutOfTime) after ``limit`` expansions as well as at the
    deadline."""

    def __init__(self, problem: Problem, deadline: float | None, limit: int) -> None:
        super().__init__(problem, deadline)
        self.limit = limit

    def tick(self) -> None:
        super().tick()
        if self.expanded > self.limit:
            raise OutOfTime


def append_witness(
    history: History, model: Model, key: AppendKey, deadline: float | None
) -> tuple[dict[str, Any], int]:
    """The witness for ``key``, which :meth:`AppendKey.judge` found not linearizable, and
    the configurations the general search expanded trying to build it."""
    search = BoundedSearch(key.problem, deadline, SEARCH_CONFIGURATIONS)
    try:
        outcome = search.run()
    except OutOfTime:
        return explained(history, key), search.expanded
    assert not outcome.linearizable, "the fast path and the general search disagree"
    search.limit = search.expanded + SEARCH_CONFIGURATIONS
    found = witness(history, model, search, outcome)
    if not found["complete"]:
        found = explained(history, key)
    return found, search.expanded


def explained(history: History, key: AppendKey) -> dict[str, Any]:
    """The witness from the fast path alone (see the module's docstring)."""
    events = key.problem.events
    returns = [position for position, (is_return, _) in enumerate(events) if is_return]
    # The first return whose prefix (through it) cannot be linearized; the whole history
    # cannot, and the ops invoked after the last return are optional, so it exists.
    judged: dict[int, Judgement] = {}  # cut -> verdict: the last probe is often the answer

    def through(index: int) -> Judgement:
        cut = returns[index] + 1
        if cut not in judged:
            judged[cut] = key.judge(cut)
        return judged[cut]

    low, high = 0, len(returns) - 1
    while low < high:
        middle = (low + high) // 2
        if through(middle).linearizable:
            low = middle + 1
        else:
            high = middle
    position = returns[low]
    before = key.judge(position)
    assert before.graph is not None
    return {
        **frame(history, key.problem, position, before.graph.order),
        "states": [],
        "more_states": 0,
        "complete": False,
        "why": _why(history, key, through(low), events[position][1], position + 1),
    }


def _why(history: History, key: AppendKey, found: Judgement, culprit: int, cut: int) -> list[str]:
    """Why ``culprit``, returning as the first ``cut`` events end, cannot be placed.

    Everything before its return was linearizable, so whatever is wrong involves it: a
    cycle runs through it or through the order its string revealed, or it is one of the
    gets that conflict."""
    conflict = found.conflict
    assert conflict is not None
    if conflict.kind == "cycle":
        return _cycle(history, key, found, culprit)
    text = key.texts[culprit]
    if conflict.kind == "unreadable":
        return [
            f"it saw {_excerpt(text, len(text))}, which the values appended to the key by ops "
            "invoked before it returned do not make"
        ]
    if conflict.kind == "repeats":
        pieces = key.split(text, cut)
        assert pieces is not None
        twice = next(step for i, step in enumerate(pieces) if step in pieces[:i])
        return [
            f"the only way to make what it saw ({_excerpt(text, len(text))}) from the values "
            f"appended uses {key.values[twice]!r} twice, but that append took effect once "
            "at most"
        ]
    (other,) = (get for get in conflict.gets if get != culprit)
    theirs, where = key.texts[other], show_op(_op(history, key, other))
    common = common_prefix(text, theirs)
    if common < min(len(text), len(theirs)):
        return [
            f"it saw {_excerpt(text, common)}, and {where} saw {_excerpt(theirs, common)}:",
            f"  they part after {common} characters, but appends only extend a key's string, "
            "so one of the two must be a prefix of the other",
        ]
    mine, yours = key.split(text, cut), key.split(theirs, cut)
    assert mine is not None and yours is not None
    return [
        f"it saw the appends {_values(key, mine)} and {where} saw {_values(key, yours)}, "
        "the only ways to make what each saw:",
        "  neither order is a prefix of the other, but the appends took effect in one order",
    ]


def _cycle(history: History, key: AppendKey, found: Judgement, culprit: int) -> list[str]:
    """A cycle with the fewest ops through ``culprit``, or when none runs through it (its
    string revealed an order among appends that real time contradicts), through a node on
    one; each op with the reason it had to take effect before the next."""
    graph = found.graph
    assert graph is not None
    cycle = graph.cycle_through(culprit) or graph.cycle_through(graph.on_a_cycle())
    # The get that reveals where an observed append stands: the first to see it.
    index = {step: i for i, step in enumerate(found.observed)}
    firsts = sorted((count, get) for get, count in found.seen.items())
    lines = [
        "no order holds these ops: each had to take effect before the next, the last "
        "before the first:"
    ]
    for (node, reason), (following, _) in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
        if node >= graph.steps:  # a helper: it stands for real time, or "after every get"
            continue
        text = reason.value
        if reason in (Edge.ORDER, Edge.MISSED):
            get = next(get for count, get in firsts if count > index[following])
            text = text.format(get=f"the get at {_where(_op(history, key, get))}")
        lines += [f"  {show_op(_op(history, key, node))}", f"    {text}"]
    return lines


def _op(history: History, key: AppendKey, step: int) -> dict[str, Any]:
    return describe(history, key.problem.invokes[step])


def _where(op: dict[str, Any]) -> str:
    return f"line {op['line']}" if "line" in op else f"op {op['index']}"


def _values(key: AppendKey, steps: list[int]) -> str:
    shown = [repr(key.values[step]) for step in steps]
    if len(shown) > 6:
        shown = [*shown[:2], "...", *shown[-3:]]
    return "[" + ", ".join(shown) + "]"


def _excerpt(text: str, at: int) -> str:
    """``text`` as a repr, cut to the :data:`EXCERPT` characters either side of ``at``."""
    start, end = max(0, at - EXCERPT), min(len(text), at + EXCERPT)
    return ("..." if start else "") + repr(text[start:end]) + ("..." if end < len(text) else "")
