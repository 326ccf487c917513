"""A history cut into what the search needs: per key, the steps and the order of events."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from stormproof.history._values import freeze
from stormproof.history.history import History
from stormproof.history.lin.models import Call, Model, OpError, Step, completion_outcome
from stormproof.history.op import Op


@dataclass
class Problem:
    """One independently checkable part of a history (one key, or all of it).

    Step ``i`` is the op invoked at history index ``invokes[i]``; ``completions[i]`` is the
    index of its ok (or failed-but-happened) completion, or None when its outcome is unknown.
    ``events`` is the order things happened: ``(False, i)`` when step i was invoked, ``(True,
    i)`` when it returned. A step with an unknown outcome never returns: it may take effect
    at any point after its invoke, or never."""

    key: Hashable
    initial: Any
    steps: list[Step] = field(default_factory=list)
    invokes: list[int] = field(default_factory=list)
    completions: list[int | None] = field(default_factory=list)
    events: list[tuple[bool, int]] = field(default_factory=list)
    twins: list[int] = field(default_factory=list)
    """Per step, for ops of unknown outcome, a number shared by every such op with the same
    function and value (-1 for the others). Two of them are interchangeable: neither ever
    returns, so which one takes effect first makes no difference."""


def problems(
    history: History, model: Model, select: Callable[[Op], bool] | None = None
) -> list[Problem]:
    """The history's ops that the check needs, split by key when ``model`` allows it.

    Failed ops that did not happen, and reads of unknown outcome, are left out: they
    constrain nothing. Raises ValueError for an op the model cannot take."""
    by_key: dict[Hashable, Problem] = {}
    twins: dict[Hashable, dict[Hashable, int]] = {}  # key -> (f, value) -> twin group
    timeline: dict[Hashable, list[tuple[int, bool, int]]] = {}  # (history index, return?, step)
    for invoke, completion in history.pairs():
        if select is not None and not select(invoke):
            continue
        outcome = completion_outcome(completion)
        read = completion.value if completion is not None and outcome == "ok" else None
        step = model.step(Call(invoke.index, invoke.f, invoke.value, read, outcome))
        if step is None:
            continue
        if invoke.key is not None and not model.partitioned:
            # Checked as one object, the ops of several keys would make violations up.
            raise OpError(
                invoke.index,
                f"op has key {invoke.key!r}, but the {model.name} model is one object, not one"
                " per key: select one key's ops, or use a model checked per key",
            )
        key = invoke.key
        problem = by_key.get(key)
        if problem is None:
            problem = by_key[key] = Problem(key, model.initial())
            timeline[key] = []
        number = len(problem.steps)
        problem.steps.append(step)
        problem.invokes.append(invoke.index)
        timeline[key].append((invoke.index, False, number))
        if outcome == "unknown":
            problem.completions.append(None)
            groups = twins.setdefault(key, {})
            problem.twins.append(groups.setdefault((invoke.f, freeze(invoke.value)), len(groups)))
        else:
            assert completion is not None
            problem.completions.append(completion.index)
            problem.twins.append(-1)
            timeline[key].append((completion.index, True, number))
    for key, problem in by_key.items():
        # Invokes and completions have distinct history indices: their order is the history's.
        problem.events = [(is_return, number) for _, is_return, number in sorted(timeline[key])]
    return list(by_key.values())
