"""Why a history is not linearizable, for a person: the longest prefix of the history that
is, one way to linearize that prefix, and the op that cannot be placed after it.

The search keeps only the chain of configurations it reached deepest, one per return. The
ops between two of them are found again here, by a small search from one to the next."""

from __future__ import annotations

from typing import Any

from stormproof.history.history import History
from stormproof.history.lin.models import INCONSISTENT, Model
from stormproof.history.lin.problem import Problem
from stormproof.history.lin.search import (
    Config,
    Outcome,
    OutOfTime,
    Search,
    absorb,
    moves,
    undominated,
)

MAX_STATES = 10
"""States listed in a witness; more would hide the point."""


def witness(history: History, model: Model, search: Search, outcome: Outcome) -> dict[str, Any]:
    """The witness for a search that found ``problem`` not linearizable."""
    assert outcome.failed_at is not None
    try:
        states = _states(model, search, outcome)
        order = _linearization(search, outcome.path)
        complete = True
    except OutOfTime:  # what is cheap to say still helps
        states, order, complete = [], [], False
    return {
        **frame(history, search.problem, outcome.failed_at, order),
        "states": states[:MAX_STATES],
        "more_states": max(0, len(states) - MAX_STATES),
        "complete": complete,
    }


def frame(history: History, problem: Problem, position: int, order: list[int]) -> dict[str, Any]:
    """The parts of a witness that any way of finding it gives: the op whose return, at
    ``position`` in ``problem.events``, cannot be placed, the ops concurrent with it, and
    ``order`` (a linearization of everything before, as steps)."""
    number = problem.events[position][1]
    failing_index = problem.completions[number]
    assert failing_index is not None
    before = problem.events[:position]
    returned = {n for is_return, n in before if is_return}
    concurrent = [
        problem.invokes[n]
        for is_return, n in before
        if not is_return and n != number and n not in returned
    ]
    return {
        "key": history[problem.invokes[number]].key,
        "op": describe(history, problem.invokes[number]),
        "prefix": failing_index,
        "prefix_line": None if history.lines is None else history.lines[failing_index],
        "linearization": [describe(history, problem.invokes[n]) for n in order],
        "concurrent": [describe(history, index) for index in concurrent],
    }


def describe(history: History, invoke_index: int) -> dict[str, Any]:
    """One op as a witness shows it: where it was invoked, by whom, what it did or saw."""
    invoke = history[invoke_index]
    done = history.completion(invoke)
    shown: dict[str, Any] = {
        "index": invoke.index,
        "process": invoke.process,
        "f": invoke.f,
        "value": invoke.value,
        "type": "info" if done is None else done.type,
    }
    if history.lines is not None:
        shown["line"] = history.lines[invoke.index]
    if done is not None:
        shown["completion"] = done.index
        if history.lines is not None:
            shown["completion_line"] = history.lines[done.index]
        if done.type == "ok":
            shown["value"] = done.value
    return shown


def _states(model: Model, search: Search, outcome: Outcome) -> list[str]:
    """Every state the model could have been in as the failing op returned (what it would
    have had to allow), from every configuration the search reached there."""
    k = len(outcome.path) - 1
    reached = [
        (known | some, state)
        for (known, state), masks in search.visited[k].items()
        for some in masks
    ]
    configs = _closure(search, k, reached if k else outcome.path[:1])
    return sorted({model.show(state) for _, state in configs})


def _closure(search: Search, k: int, starts: list[Config]) -> dict[Config, Config | None]:
    """The configurations reachable at return ``k`` from ``starts`` by linearizing other
    pending ops (not the returning one), each with the one it was reached from (None for
    a start). Of two that dominate one another only the first met is kept: it reaches
    every state the other does, which keeps this from growing with every subset of the
    pending ops of unknown outcome."""
    event, unknown = search.returns[k], search.unknown
    seen: dict[tuple[int, Any], list[int]] = {}
    parents: dict[Config, Config | None] = {}
    stack = []
    for config in starts:
        start = absorb(*config, event.readers)
        if undominated(seen, start, unknown):
            parents[start] = None
            stack.append(start)
    while stack:
        parent = stack.pop()
        search.tick()
        for child, _ in moves(event, *parent):
            if undominated(seen, child, unknown):
                parents[child] = parent
                stack.append(child)
    return parents


def _linearization(search: Search, path: list[Config]) -> list[int]:
    """One order of the prefix's ops that the model accepts, following the deepest path:
    from each configuration, the ops that lead to one at least as good as the path's next
    (the same, or one that has placed fewer ops of unknown outcome)."""
    order: list[int] = []
    current = path[0]
    for k, target in enumerate(path[1:]):
        event = search.returns[k]
        if current[0] & event.x_bit:  # x was linearized earlier: only absorbed reads are new
            following = absorb(current[0] ^ event.x_bit, current[1], event.readers)
            order.extend(_bits(following[0] & ~current[0] & ~event.x_bit))
            current = following
            continue
        parents = _closure(search, k, [current])
        for node in parents:
            after = event.apply_x(node[1])
            if after is INCONSISTENT:
                continue
            following = absorb(node[0], after, event.readers)
            if _dominates(following, target, search.unknown):
                break
        else:  # pragma: no cover - the search reached `target` from a config no better
            raise AssertionError("the deepest path cannot be replayed")
        order.extend(_route(search, current, parents, node))
        order.append(event.x)
        order.extend(_bits(following[0] & ~node[0]))
        current = following
    return order


def _dominates(a: Config, b: Config, unknown: int) -> bool:
    """Whether ``a`` can do everything ``b`` can (see :mod:`.search`)."""
    (mask_a, state_a), (mask_b, state_b) = a, b
    same_known = mask_a & ~unknown == mask_b & ~unknown
    return same_known and state_a == state_b and mask_a & unknown & ~mask_b == 0


def _route(
    search: Search, origin: Config, parents: dict[Config, Config | None], node: Config
) -> list[int]:
    """The ops from ``origin`` to ``node`` through ``parents``: per hop, the op that moved
    the state, then the reads absorbed at the new state."""
    hops: list[list[int]] = []
    child = node
    parent = parents[child]
    while parent is not None:
        added = _bits(child[0] & ~parent[0])
        mover = next(y for y in added if search.apply[y](parent[1]) == child[1])
        hops.append([mover, *(y for y in added if y != mover)])
        child, parent = parent, parents[parent]
    hops.append(_bits(child[0] & ~origin[0]))  # reads absorbed at the start
    return [op for hop in reversed(hops) for op in hop]


def _bits(mask: int) -> list[int]:
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found
