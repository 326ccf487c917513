"""Why a history is not linearizable, for a person: the longest prefix of the history that
is, one way to linearize that prefix, and the op that cannot be placed after it.

The search keeps only the chain of configurations it reached deepest, one per return. The
ops between two of them are found again here, by a small search from one to the next."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from stormproof.history.history import History
from stormproof.history.lin.models import INCONSISTENT, Model
from stormproof.history.lin.search import Config, Outcome, Search, absorb

MAX_STATES = 10
"""States listed in a witness; more would hide the point."""


def witness(history: History, model: Model, search: Search, outcome: Outcome) -> dict[str, Any]:
    """The witness for a search that found ``problem`` not linearizable."""
    problem = search.problem
    assert outcome.failed_at is not None
    failing = search.returns[len(outcome.path) - 1]
    number = failing.x
    failing_index = problem.completions[number]
    assert failing_index is not None
    # Every state the model could have been in as x returned: what it would have had to
    # allow, from every configuration the search reached there.
    k = len(outcome.path) - 1
    reached = (
        [
            (known | some, state)
            for (known, state), masks in search.visited[k].items()
            for some in masks
        ]
        if k
        else [outcome.path[0]]
    )
    states = sorted(
        {model.show(state) for config in reached for _, state in _closure(search, k, config)}
    )
    before = problem.events[: failing.position]
    returned = {n for is_return, n in before if is_return}
    concurrent = [
        problem.invokes[n]
        for is_return, n in before
        if not is_return and n != number and n not in returned
    ]
    order = _linearization(search, outcome.path)
    return {
        "key": history[problem.invokes[number]].key,
        "op": describe(history, problem.invokes[number]),
        "prefix": problem.completions[number],
        "prefix_line": None if history.lines is None else history.lines[failing_index],
        "linearization": [describe(history, problem.invokes[n]) for n in order],
        "concurrent": [describe(history, index) for index in concurrent],
        "states": states[:MAX_STATES],
        "more_states": max(0, len(states) - MAX_STATES),
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


def _closure(search: Search, k: int, config: Config) -> dict[Config, Config | None]:
    """Every configuration reachable at return ``k`` from ``config`` by linearizing other
    pending ops (not the returning one), each with the one it was reached from."""
    event = search.returns[k]
    start = absorb(*config, event.readers)
    parents: dict[Config, Config | None] = {start: None}
    stack = [start]
    while stack:
        mask, state = parent = stack.pop()
        offered = 0
        for bit, apply_y, twin in event.candidates:
            if mask & bit or (twin >= 0 and offered >> twin & 1):
                continue
            if twin >= 0:
                offered |= 1 << twin
            after = apply_y(state)
            if after is INCONSISTENT:
                continue
            child = absorb(mask | bit, after, event.readers)
            if child not in parents:
                parents[child] = parent
                stack.append(child)
    return parents


def _linearization(search: Search, path: list[Config]) -> list[int]:
    """One order of the prefix's ops that the model accepts: the ops that lead from each
    configuration of the deepest path to the next."""
    order: list[int] = []
    for k, (config, following) in enumerate(pairwise(path)):
        event = search.returns[k]
        if config[0] & event.x_bit:  # x was linearized earlier: only absorbed reads are new
            order.extend(_bits(following[0] & ~config[0] & ~event.x_bit))
            continue
        parents = _closure(search, k, config)
        for node in parents:
            after = event.apply_x(node[1])
            if after is not INCONSISTENT and absorb(node[0], after, event.readers) == following:
                break
        else:  # pragma: no cover - the search reached `following` this way
            raise AssertionError("the deepest path cannot be replayed")
        order.extend(_route(search, config, parents, node))
        order.append(event.x)
        order.extend(_bits(following[0] & ~node[0]))
    return order


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
