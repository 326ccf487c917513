"""Acknowledged elements of a set that reads lose or miss, after Jepsen's ``set-full``.

Each element is added once or more (the invoke value of an ``add``) and every ``ok`` read
returns the whole collection. An element is *known* from the earlier of its add's ``ok``
and the completion of the first read that saw it: an add that timed out (``info``) or even
``fail``ed may still have happened, and a read that shows the element proves it did.
Reads are ordered by their invokes: only a read that began after an element was known can
miss it, since one that began earlier may have taken effect before the add.

- *lost*: a read that began after the element was known misses it, and no read that
  began later shows it. The system dropped an element it had.
- *stale*: a read that began after the element was known misses it, yet a read that began
  later shows it. The element came back, but a client saw the set without it.
- *never read*: known, yet neither: no read began after it was known (or only ones that
  began before the read that made it known completed). Counted, not a violation.

An element the set has but nobody added is not judged: nothing says when it appeared.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from itertools import takewhile
from typing import Any, Literal

from stormproof.history._report import NamedInvariant, capped, plural
from stormproof.history._values import freeze, kind
from stormproof.history.history import History
from stormproof.history.verdict import Invariant, Verdict


@dataclass
class _Element:
    value: Any
    """As the first add gave it, for the witness."""
    added: int
    """The first add's invoke."""
    acknowledged: int | None = None
    """The first ``ok`` of an add of it."""


@dataclass(frozen=True)
class _Read:
    invoke: int
    ok: int
    elements: frozenset[Hashable]


def set_full(name: str, *, add: str = "add", read: str = "read") -> Invariant:
    """No element of a set may be lost or read stale (see the module's docstring).

    Witnesses are ``{"element", "problem": "lost" | "stale", "ops": [the first add's
    invoke, the op that made the element known, the read that missed it last]}``, lost
    ones first, then each earliest added first. Counts: ``attempted`` (elements added),
    ``acknowledged`` (by an ``ok`` add), ``recovered`` (seen in a read, never
    acknowledged), ``lost``, ``stale``, ``never_read``. A read whose value is not a list
    is an error, naming the op."""

    def judge(history: History, final: Any) -> Verdict:
        elements = _elements(history, add)
        reads = _reads(history, read)
        first_seen = _first_seen(elements, reads)
        latest_first = sorted(reads, key=lambda r: r.invoke, reverse=True)
        lost: list[dict[str, Any]] = []
        stale: list[dict[str, Any]] = []
        never_read = recovered = 0
        for key, element in elements.items():
            seen = first_seen.get(key)
            recovered += element.acknowledged is None and seen is not None
            known = min((i for i in (element.acknowledged, seen) if i is not None), default=None)
            if known is None:  # never acknowledged, never seen: nothing to lose
                continue
            outcome, missed = _fate(key, element.added, known, latest_first)
            if missed is not None:
                ops = [element.added, known, missed.ok]
                found = lost if outcome == "lost" else stale
                found.append({"element": element.value, "problem": outcome, "ops": ops})
            never_read += outcome == "never_read"
        acknowledged = sum(e.acknowledged is not None for e in elements.values())
        counts = {
            "attempted": len(elements),
            "acknowledged": acknowledged,
            "recovered": recovered,
            "lost": len(lost),
            "stale": len(stale),
            "never_read": never_read,
        }
        if not elements:
            return Verdict(name, True, "no adds to check", counts=counts)
        total = plural(acknowledged + recovered, "added element")
        if not (lost or stale):
            unread = f", {never_read} never read" if never_read else ""
            return Verdict(name, True, f"{total}, none lost or stale{unread}", counts=counts)
        if lost:
            message = f"{len(lost)} of {total} lost" + (f", {len(stale)} stale" if stale else "")
        else:
            message = f"{len(stale)} of {total} stale"
        return Verdict(name, False, message, capped(lost + stale), counts)

    return NamedInvariant(name, judge)


def _fate(
    key: Hashable, added: int, known: int, latest_first: list[_Read]
) -> tuple[Literal["stable", "stale", "lost", "never_read"], _Read | None]:
    """Jepsen's rule for one element, with the read that missed it when it was lost or
    stale. ``latest_first``: the reads, the one that began last first."""
    # Reads that completed before the first add cannot tell anything about it.
    relevant = (r for r in latest_first if r.ok > added)
    last = next(relevant, None)
    if last is None:
        return "never_read", None
    if key not in last.elements:
        # Unless that read began before the element was known: it may have come first.
        return ("lost", last) if last.invoke > known else ("never_read", None)
    # The read that began last saw it; did one that began after it was known miss it?
    began_after = takewhile(lambda r: r.invoke > known, relevant)
    missed = next((r for r in began_after if key not in r.elements), None)
    return ("stable", None) if missed is None else ("stale", missed)


def _elements(history: History, add: str) -> dict[Hashable, _Element]:
    """Every element added, by its frozen value, in the order of first adds."""
    elements: dict[Hashable, _Element] = {}
    for invoke, done in history.pairs():
        if invoke.f != add:
            continue
        element = elements.setdefault(freeze(invoke.value), _Element(invoke.value, invoke.index))
        if done is not None and done.type == "ok":
            acks = [i for i in (element.acknowledged, done.index) if i is not None]
            element.acknowledged = min(acks)
    return elements


def _first_seen(elements: Mapping[Hashable, _Element], reads: list[_Read]) -> dict[Hashable, int]:
    """Each element that a read showed after its first add began: the earliest such read's
    completion."""
    first: dict[Hashable, int] = {}
    for r in sorted(reads, key=lambda r: r.ok):
        for key in r.elements:
            element = elements.get(key)
            if element is not None and element.added < r.ok:
                first.setdefault(key, r.ok)
    return first


def _reads(history: History, read: str) -> list[_Read]:
    reads = []
    for invoke, ok in history.completed("ok", read):
        if not isinstance(ok.value, list | tuple | set | frozenset):
            raise ValueError(
                f"ok read at op {ok.index} returned {kind(ok.value)}, not a list of elements"
            )
        reads.append(_Read(invoke.index, ok.index, frozenset(map(freeze, ok.value))))
    return reads
