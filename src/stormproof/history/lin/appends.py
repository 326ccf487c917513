"""A polynomial check for one ``kv`` key that only ever appends distinct strings.

On such a key the general search is exponential: every order of the pending appends is a
distinct string, so no two configurations merge. But the same fact makes the key easy, as
Elle observed for list-append histories (traceable, recoverable objects): when no append
value is repeated, a get's string says exactly which appends took effect before it, and in
which order. The check becomes a graph problem:

- every ok get's string splits into append values in exactly one way (else the key is left
  to the general search), and those orders are all prefixes of one *revealed order*;
- the appends some get saw (*observed*) take effect in the revealed order;
- a get takes effect after the last append it saw and before the first observed one it did
  not see;
- an ok append that no get saw takes effect after every get, and so after every observed
  append; one of unknown outcome that no get saw is left out (it may never have happened,
  and leaving it out constrains nothing else);
- an op that completed before another was invoked takes effect before it (real time).

The key is linearizable exactly when that graph is acyclic (see :func:`AppendKey.judge`).
Real-time edges go through one *barrier* node per run of consecutive completions, so the
graph has O(n) edges, not O(n^2); cycles are found by Kahn's algorithm, with no recursion.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import pairwise

from stormproof.history.history import History
from stormproof.history.lin.models import KeyValue, Model
from stormproof.history.lin.problem import Problem

MANY = 2
"""A count of ways to split a string that stands for "two or more"."""


class Edge(Enum):
    """Why one node of the graph takes effect before another; the value says it as a
    witness does, of an op and the next on a cycle (``{get}``: the get that revealed the
    order)."""

    REAL_TIME = "completed before the next was invoked"
    ORDER = "came before the next in what {get} saw"
    SEEN = "was seen by the next"
    MISSED = "did not see the next, which {get} saw (so it took effect, after this one)"
    BEFORE_UNSEEN = "did not see the next, which completed ok and so took effect, after this one"
    SEEN_BEFORE_UNSEEN = (
        "was seen by a get and the next by none: an ok append no get saw took effect "
        "after every get, so after every append a get saw"
    )


@dataclass(frozen=True)
class Conflict:
    """Why a (prefix of a) key cannot be linearized.

    ``kind`` is "unreadable" (a get's string is no sequence of append values at all),
    "repeats" (its only split uses one append twice), "diverge" (two gets saw orders
    neither of which is a prefix of the other) or "cycle" (the graph has one). ``gets``
    are the gets involved (for "cycle": none)."""

    kind: str
    gets: tuple[int, ...] = ()


@dataclass
class Graph:
    """Nodes are the key's steps (0..n-1, those included) and helper nodes after them."""

    out: list[list[tuple[int, Edge]]]
    included: list[bool]
    steps: int = field(init=False)
    """Nodes below this are steps; from it on, helpers."""
    order: list[int] = field(default_factory=list)
    """A topological order of the steps, when there is one: a linearization."""
    placed: list[bool] = field(default_factory=list)
    """Per node, whether the topological sort placed it (not when it is on or after a
    cycle)."""

    def __post_init__(self) -> None:
        self.steps = len(self.out)

    def add_node(self) -> int:
        self.out.append([])
        self.included.append(True)
        return len(self.out) - 1

    def add_edge(self, a: int, b: int, why: Edge) -> None:
        self.out[a].append((b, why))

    def cycle_through(self, start: int) -> list[tuple[int, Edge]]:
        """A cycle through ``start`` with as few ops on it as can be (helper nodes are free:
        a breadth-first search with 0-1 weights), as (node, why it precedes the next) pairs
        from ``start`` on; empty when there is none."""
        parent: dict[int, tuple[int, Edge]] = {}
        reached = {start}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for target, why in self.out[node]:
                if target == start:
                    return _unwind(parent, start, node, why)
                if target not in reached:
                    reached.add(target)
                    parent[target] = (node, why)
                    if target >= self.steps:  # free: explored before the ops already queued
                        queue.appendleft(target)
                    else:
                        queue.append(target)
        return []

    def on_a_cycle(self) -> int:
        """A node on some cycle, when the topological sort left nodes unplaced: each of
        those has an unplaced predecessor, so walking back from one must come round."""
        before: dict[int, int] = {}
        for node, targets in enumerate(self.out):
            if self.included[node] and not self.placed[node]:
                for target, _ in targets:
                    before[target] = node
        node = next(iter(before))
        walked = set()
        while node not in walked:
            walked.add(node)
            node = before[node]
        return node


def _unwind(
    parent: dict[int, tuple[int, Edge]], start: int, last: int, why: Edge
) -> list[tuple[int, Edge]]:
    cycle = [(last, why)]
    node = last
    while node != start:
        node, why = parent[node]
        cycle.append((node, why))
    cycle.reverse()
    return cycle


@dataclass
class Judgement:
    """What :meth:`AppendKey.judge` found for one prefix of the key's events."""

    conflict: Conflict | None
    graph: Graph | None = None
    observed: list[int] = field(default_factory=list)
    """The revealed order: the appends some get saw, in the order they took effect."""
    seen: dict[int, int] = field(default_factory=dict)
    """Per ok get, how many appends of the revealed order it saw."""

    @property
    def linearizable(self) -> bool:
        return self.conflict is None


class AppendKey:
    """One key's problem, in the terms of the fast path: which steps append what, and
    which get saw what; positions are indices into ``problem.events``."""

    def __init__(self, problem: Problem, appended: dict[str, int], texts: dict[int, str]):
        self.problem = problem
        self.appended = appended
        """Append value -> its step (values are distinct)."""
        self.texts = texts
        """Get step -> the string it saw."""
        n = len(problem.steps)
        self.invoked: list[int] = [0] * n
        self.returned: list[int | None] = [None] * n
        for position, (is_return, number) in enumerate(problem.events):
            if is_return:
                self.returned[number] = position
            else:
                self.invoked[number] = position
        self.lengths = sorted({len(value) for value in appended})
        self.values = {step: value for value, step in appended.items()}

    def judge(self, cut: int | None = None) -> Judgement:
        """Whether the first ``cut`` events (default: all) are linearizable, as the general
        search counts a prefix: an op that returned within it happened; one invoked within
        it but not returned may have happened (a get of that kind constrains nothing).

        Why the verdict is exact. *If* some linearization exists, drop from it the appends
        of unknown outcome no get saw: they come after every get (a get saw exactly the
        appends before it), so no get changes, and the rest still respects real time. What
        remains satisfies every edge of the graph, so the graph is acyclic. *Conversely*,
        any topological order of an acyclic graph is a linearization: it respects real time
        (those are edges), and before each get lie exactly the observed appends it saw, in
        the revealed order (ORDER, SEEN and MISSED edges), and no unobserved one (they all
        follow every get), so the state there is the get's string."""
        cut = len(self.problem.events) if cut is None else cut
        returned = [at is not None and at < cut for at in self.returned]
        gets = sorted(
            (step for step in self.texts if returned[step]),
            key=lambda step: (len(self.texts[step]), self.returned[step]),
        )
        # Appends only extend the string: the strings gets saw form a chain of prefixes.
        for shorter, longer in pairwise(gets):
            if not self.texts[longer].startswith(self.texts[shorter]):
                return Judgement(Conflict("diverge", (shorter, longer)))
        observed: list[int] = []
        seen: dict[int, int] = {}
        if gets:
            found = self._reveal(gets, cut, observed, seen)
            if found is not None:
                return Judgement(found)
        graph = self._graph(cut, returned, observed, seen)
        if not _topological(graph, self.invoked):
            return Judgement(Conflict("cycle"), graph, observed, seen)
        return Judgement(None, graph, observed, seen)

    def split(self, text: str, cut: int) -> list[int] | None:
        """The only way ``text`` splits into the values of appends invoked before ``cut``
        (repeats allowed), as their steps; None when there is none."""
        ways, starts = next(tokenize([text], self._matcher(cut), self.lengths))
        return self._pieces(text, starts) if ways[len(text)] == 1 else None

    def _pieces(self, text: str, starts: list[int]) -> list[int]:
        """The steps of the one split ``starts`` (from :func:`tokenize`) records."""
        steps: list[int] = []
        end = len(text)
        while end:
            begin = starts[end]
            steps.append(self.appended[text[begin:end]])
            end = begin
        steps.reverse()
        return steps

    def _matcher(self, cut: int) -> Callable[[str], bool]:
        appended, invoked = self.appended, self.invoked

        def match(piece: str) -> bool:
            step = appended.get(piece)
            return step is not None and invoked[step] < cut

        return match

    def _reveal(
        self, gets: list[int], cut: int, observed: list[int], seen: dict[int, int]
    ) -> Conflict | None:
        """Fill ``observed`` with the revealed order (the split of the longest string) and
        ``seen`` with how much of it each get saw; or say why that cannot be."""
        longest = self.texts[gets[-1]]
        ways, starts = next(tokenize([longest], self._matcher(cut), self.lengths))
        for get in gets:
            if ways[len(self.texts[get])] == 0:
                return Conflict("unreadable", (get,))
        # One way exactly: no get splits two ways over all the key's appends (append_key
        # checks), so none does over those invoked before the cut.
        order = self._pieces(longest, starts)
        ends: dict[int, int] = {}  # position in the longest string -> appends up to there
        repeated = len(order) + 1  # the first prefix of the order that repeats an append
        position = 0
        taken: set[int] = set()
        for count, step in enumerate(order, 1):
            position += len(self.values[step])
            ends[position] = count
            if step in taken:
                repeated = min(repeated, count)
            taken.add(step)
        ends[0] = 0
        for get in gets:
            count = ends.get(len(self.texts[get]))
            if count is None:  # its only split is not a prefix of the longest one's
                return Conflict("diverge", (get, gets[-1]))
            if count >= repeated:
                return Conflict("repeats", (get,))
            seen[get] = count
        observed.extend(order)
        return None

    def _graph(
        self, cut: int, returned: list[bool], observed: list[int], seen: dict[int, int]
    ) -> Graph:
        n = len(self.problem.steps)
        is_observed = [False] * n
        for step in observed:
            is_observed[step] = True
        unseen = [
            step
            for step in range(n)
            if step not in self.texts and returned[step] and not is_observed[step]
        ]
        included = [is_observed[step] or step in seen or returned[step] for step in range(n)]
        graph = Graph([[] for _ in range(n)], included)
        for before, after in pairwise(observed):
            graph.add_edge(before, after, Edge.ORDER)
        for get, count in seen.items():
            if count:
                graph.add_edge(observed[count - 1], get, Edge.SEEN)
            if count < len(observed):
                graph.add_edge(get, observed[count], Edge.MISSED)
        if unseen:
            later = graph.add_node()
            for get in seen:
                graph.add_edge(get, later, Edge.BEFORE_UNSEEN)
            if observed:
                graph.add_edge(observed[-1], later, Edge.SEEN_BEFORE_UNSEEN)
            for step in unseen:
                graph.add_edge(later, step, Edge.BEFORE_UNSEEN)
        _real_time(graph, self.problem.events[:cut])
        return graph


def _real_time(graph: Graph, events: Sequence[tuple[bool, int]]) -> None:
    """An edge, through barrier nodes, from each op that returned to each op invoked after
    it: one barrier per run of consecutive returns, each barrier before the next."""
    out, included, why = graph.out, graph.included, Edge.REAL_TIME  # the hot loop
    closed: int | None = None  # the barrier every later invoke follows
    open_: int | None = None  # the barrier of the run of returns going on
    for is_return, step in events:
        if not included[step]:
            continue
        if is_return:
            if open_ is None:
                open_ = graph.add_node()
                if closed is not None:
                    out[closed].append((open_, why))
            out[step].append((open_, why))
            continue
        if open_ is not None:
            closed, open_ = open_, None
        if closed is not None:
            out[closed].append((step, why))


def _topological(graph: Graph, invoked: list[int]) -> bool:
    """Kahn's algorithm; fills ``graph.order`` (steps only, earliest invoke first among
    those free to go) and says whether every node got a place (no cycle)."""
    n, size = len(invoked), len(graph.out)
    indegree = [0] * size
    for node in range(size):
        for target, _ in graph.out[node]:
            indegree[target] += 1
    nodes = [node for node in range(size) if graph.included[node]]
    ready = [(invoked[node] if node < n else -1, node) for node in nodes if not indegree[node]]
    heapq.heapify(ready)
    graph.placed = [False] * size
    placed = 0
    while ready:
        _, node = heapq.heappop(ready)
        graph.placed[node] = True
        placed += 1
        if node < n:
            graph.order.append(node)
        for target, _ in graph.out[node]:
            indegree[target] -= 1
            if not indegree[target]:
                heapq.heappush(ready, (invoked[target] if target < n else -1, target))
    return placed == len(nodes)


def append_key(history: History, model: Model, problem: Problem) -> AppendKey | None:
    """``problem`` as an :class:`AppendKey` when the fast path decides it exactly as the
    general search would; None when it cannot (then the general search must).

    It can when the model is exactly :class:`KeyValue` (a subclass may change the rules),
    the key has no put, every append value is a non-empty string no other append on the
    key has (failed appends are already left out: they did not happen), and no get's
    string splits into append values in two ways. A string that splits in no way is fine:
    the key is then not linearizable, and :meth:`AppendKey.judge` says so."""
    if type(model) is not KeyValue:
        return None
    appended: dict[str, int] = {}
    texts: dict[int, str] = {}
    for step, (invoke_index, completion) in enumerate(
        zip(problem.invokes, problem.completions, strict=True)
    ):
        invoke = history[invoke_index]
        if invoke.f == "get":
            assert completion is not None  # a get of unknown outcome is left out
            texts[step] = history[completion].value or ""
        elif invoke.f == "append" and invoke.value and invoke.value not in appended:
            appended[invoke.value] = step
        else:  # a put, an empty append, or a repeated value
            return None
    if appended:
        lengths = sorted({len(value) for value in appended})
        strings = sorted(set(texts.values()))
        for text, (ways, _) in zip(
            strings, tokenize(strings, appended.__contains__, lengths), strict=True
        ):
            if ways[len(text)] == MANY:
                return None
    return AppendKey(problem, appended, texts)


def tokenize(
    texts: Sequence[str], match: Callable[[str], bool], lengths: Sequence[int]
) -> Iterator[tuple[list[int], list[int]]]:
    """For each of ``texts`` (in sorted order, so that each shares its longest common
    prefix with the one before and that prefix is not scanned again): per prefix length j,
    the number of ways ``text[:j]`` splits into pieces ``match`` accepts (0, 1, or
    :data:`MANY`), and for one with exactly one way, where its last piece begins.

    ``lengths`` (ascending) are the lengths a piece may have. The lists yielded are reused
    for the next text."""
    ways, starts = [1], [0]
    previous = ""
    longest = max(lengths, default=0)
    for text in texts:
        common = common_prefix(previous, text)
        del ways[common + 1 :], starts[common + 1 :]
        ways.extend([0] * (len(text) - common))
        starts.extend([0] * (len(text) - common))
        # Splits that end within the common prefix stand; those from a piece that begins
        # in it and ends beyond it are counted again, for this text's characters.
        for begin in range(max(0, common - longest + 1), len(text)):
            count = ways[begin]
            if not count:
                continue
            for length in lengths:
                end = begin + length
                if end > len(text):
                    break
                if end > common and match(text[begin:end]):
                    if not ways[end]:
                        starts[end] = begin
                    ways[end] = min(MANY, ways[end] + count)
        yield ways, starts
        previous = text


def common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix, by bisection over C-speed comparisons."""
    if b.startswith(a):
        return len(a)
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low
