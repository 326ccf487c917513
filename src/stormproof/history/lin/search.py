"""The linearizability search: just-in-time linearization, depth first, memoised.

A *configuration* is (mask, state): ``mask`` is the set of pending ops (invoked, not yet
returned) already linearized, as bits of a Python int, and ``state`` is the model's state
after every op linearized so far. Invokes change nothing. When op x returns, a
configuration must linearize x now, after any sequence of other pending ops; each way to do
so is a *successor* for the next return (Lowe's just-in-time linearization: an op is only
placed when a return forces it). Ops that returned leave the mask, so masks stay small.

The search goes depth first through the returns, trying x first at each step, so a
linearizable history is usually walked straight through. Every (return, configuration)
visited is remembered (Wing & Gong's memoisation): met again, by another path, it has
nothing new to offer. If every path dies, the history is not linearizable, and the deepest
return any path reached is where it stops being so.

Three reductions keep the search small:
- *absorption*: a pending op that can never change the state (a read), and that the
  current state allows, is linearized at once. It would have the same (no) effect at any
  later point, and doing it now frees later ops, so a path without it is never needed.
  (Not so for a write of the current value: later, it would change the state.)
- *twins*: of several pending ops of unknown outcome with the same function and value,
  only the first not yet linearized is tried: they never return, so they are
  interchangeable.
- *dominance*: an op of unknown outcome may also never happen. Of two configurations with
  the same state and the same known-outcome ops linearized, one that has linearized only a
  subset of the other's unknown ops can do everything the other can; once it has been
  visited, the other is skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from stormproof.history.lin.models import INCONSISTENT
from stormproof.history.lin.problem import Problem

Config = tuple[int, Any]
"""(mask of pending ops already linearized, model state after them)."""

_Seen = dict[tuple[int, Any], list[int]]
"""Configurations met so far: (known-outcome ops linearized, state) -> the masks of
unknown-outcome ops linearized with them, none a superset of another met earlier."""

_Node = tuple[Config, Any]
"""A configuration on a search path and the node before it (None for the first)."""

Apply = Callable[[Any], Any]

_CLOCK_EVERY = 1024
"""Configurations expanded between two looks at the clock: time.monotonic() costs more
than an expansion."""


class OutOfTime(Exception):
    """The time budget ran out before the search could decide."""


@dataclass(frozen=True)
class _Return:
    """Everything about one return event that does not depend on the configuration."""

    position: int  # in problem.events
    x: int
    x_bit: int
    apply_x: Apply
    candidates: list[tuple[int, Apply, int]]  # (bit, apply, twin group) per other pending op
    readers: list[tuple[int, Apply]]  # (bit, apply) per pending op that never changes state


@dataclass
class Outcome:
    """What the search found. ``path`` is the deepest chain of configurations reached: one
    per return event, from the initial configuration. When it covers every return the
    history is linearizable; otherwise the next return is where it stops being so."""

    linearizable: bool
    path: list[Config]
    failed_at: int | None  # position in problem.events of the return that cannot be placed
    expanded: int


class Search:
    """One search over one problem."""

    def __init__(self, problem: Problem, deadline: float | None) -> None:
        self.problem = problem
        self.apply: list[Apply] = [step.apply for step in problem.steps]
        self.unknown = 0  # mask of ops whose outcome is unknown
        for number, completion in enumerate(problem.completions):
            if completion is None:
                self.unknown |= 1 << number
        self.returns = self._returns()
        self.deadline = deadline
        self.expanded = 0
        self.visited: list[_Seen] = []
        """Per return, the configurations that reached it: (known-outcome ops, state) ->
        the unknown-outcome masks seen with them."""

    def _returns(self) -> list[_Return]:
        problem, apply = self.problem, self.apply
        reads = [not step.changes for step in problem.steps]
        returns: list[_Return] = []
        pending: list[int] = []
        for position, (is_return, number) in enumerate(problem.events):
            if not is_return:
                pending.append(number)
                continue
            pending.remove(number)
            returns.append(
                _Return(
                    position,
                    number,
                    1 << number,
                    apply[number],
                    [(1 << y, apply[y], problem.twins[y]) for y in pending],
                    [(1 << y, apply[y]) for y in pending if reads[y]],
                )
            )
        return returns

    def run(self) -> Outcome:
        """Search. Raises :class:`OutOfTime` when the deadline passes first."""
        returns = self.returns
        start: Config = (0, self.problem.initial)
        # The path so far as linked nodes (config, parent), so that the deepest one can be
        # kept without copying it.
        path: list[_Node] = [(start, None)]
        deepest, deepest_length = path[0], 1
        frames: list[Iterator[Config]] = [self.successors(returns[0], start)] if returns else []
        visited: list[_Seen] = [{} for _ in returns]
        self.visited = visited
        unknown = self.unknown
        while frames:
            depth = len(frames)  # the successor about to be drawn is for return `depth`
            config = next(frames[-1], None)
            if config is None:
                frames.pop()
                path.pop()
                continue
            node = (config, path[-1])
            if depth == len(returns):
                return Outcome(True, _configs(node), None, self.expanded)
            if not undominated(visited[depth], config, unknown):
                continue  # this one, or one that dominates it, was visited already
            path.append(node)
            if len(path) > deepest_length:
                deepest, deepest_length = node, len(path)
            frames.append(self.successors(returns[depth], config))
        if not returns:
            return Outcome(True, [start], None, 0)
        found = _configs(deepest)
        return Outcome(False, found, returns[len(found) - 1].position, self.expanded)

    def successors(self, event: _Return, config: Config) -> Iterator[Config]:
        """Each configuration in which ``event.x``, returning now, has been linearized, after
        some sequence of the other pending ops, from ``config``. Lazily: the first comes
        before the others are looked for."""
        readers = event.readers
        mask, state = config
        if mask & event.x_bit:  # linearized earlier: it just leaves the mask
            yield absorb(mask ^ event.x_bit, state, readers)
            return
        apply_x, unknown = event.apply_x, self.unknown
        start = absorb(mask, state, readers)
        # Bucketed by how many unknown-outcome ops they have linearized, fewest first, so
        # that a dominating configuration is usually met before the ones it dominates.
        buckets: list[list[Config]] = [[start]]
        minimal: _Seen = {}
        undominated(minimal, start, unknown)
        level = 0
        while level < len(buckets):
            stack = buckets[level]
            if not stack:
                level += 1
                continue
            mask, state = stack.pop()
            self.tick()
            after = apply_x(state)
            if after is not INCONSISTENT:
                yield absorb(mask, after, readers)
            for child, twin in moves(event, mask, state):
                if not undominated(minimal, child, unknown):
                    continue
                target = level + 1 if twin >= 0 else level
                if target == len(buckets):
                    buckets.append([])
                buckets[target].append(child)

    def tick(self) -> None:
        """Count one expansion; raises :class:`OutOfTime` once the deadline has passed."""
        self.expanded += 1
        if (
            self.deadline is not None
            and not self.expanded % _CLOCK_EVERY
            and time.monotonic() > self.deadline
        ):
            raise OutOfTime


def moves(event: _Return, mask: int, state: Any) -> Iterator[tuple[Config, int]]:
    """Each configuration one more pending op (not the returning one) leads to from (mask,
    state), with that op's twin group (-1 for none). Of twins only the first not yet
    linearized is tried."""
    offered = 0  # twin groups whose first pending member was offered already
    for bit, apply_y, twin in event.candidates:
        if mask & bit:
            continue
        if twin >= 0:
            if offered >> twin & 1:
                continue
            offered |= 1 << twin
        after = apply_y(state)
        if after is not INCONSISTENT:
            yield absorb(mask | bit, after, event.readers), twin


def undominated(seen: _Seen, config: Config, unknown: int) -> bool:
    """Whether ``config`` is new: neither it nor one that dominates it is in ``seen``
    (then it is added)."""
    mask, state = config
    some = mask & unknown
    masks = seen.setdefault((mask & ~unknown, state), [])
    if any(smaller & ~some == 0 for smaller in masks):
        return False
    masks.append(some)
    return True


def absorb(mask: int, state: Any, readers: list[tuple[int, Apply]]) -> Config:
    """(mask, state) with every pending read that ``state`` allows linearized (``readers``:
    (bit, apply) per pending op that cannot change the state)."""
    for bit, apply in readers:
        if not mask & bit and apply(state) is not INCONSISTENT:
            mask |= bit
    return mask, state


def _configs(node: _Node | None) -> list[Config]:
    """The configurations from the start of the path to ``node``."""
    found = []
    while node is not None:
        found.append(node[0])
        node = node[1]
    found.reverse()
    return found
