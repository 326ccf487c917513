"""Reads of a counter that no order of its adds explains, after Jepsen's ``counter``.

An add (its invoke value: the delta) *surely* happened before a read when it was
acknowledged before the read began, and *may* have happened before the read returned when
it was invoked before then and did not ``fail`` (``ok``, ``info`` or never completed). A
read must lie within

    lower = initial + positive deltas that surely happened + negative ones that may have
    upper = initial + positive deltas that may have happened + negative ones that surely did

With only positive deltas this is Jepsen's rule (ok adds completed before the read's
invoke; adds invoked before its completion), except that an add known to have failed
never counts, even if it failed after the read.

The bounds are exact (float deltas are added as the fractions they are), so the checker
adds no rounding error of its own over a long history; a system that adds floats rounds
as it goes, and ``tolerance`` allows for that.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from itertools import accumulate
from typing import Any

from stormproof.history._report import NamedInvariant, capped, plural
from stormproof.history._values import is_number, kind
from stormproof.history.history import History
from stormproof.history.verdict import Invariant, Verdict

Exact = int | Fraction


def counter_bounds(
    name: str,
    *,
    add: str = "add",
    read: str = "read",
    initial: float = 0,
    tolerance: float = 0,
) -> Invariant:
    """Every ``ok`` read of a counter must lie within the bounds its adds allow (see the
    module's docstring), give or take ``tolerance``.

    Witnesses are ``{"ops": [read invoke, read ok], "read", "lower", "upper"}``, earliest
    first. Counts: ``reads``, ``out_of_bounds``. An add whose value is not a finite number,
    or a read that returned no number, is an error naming the op."""
    start = _exact(initial, "initial")
    slack = _exact(tolerance, "tolerance")
    if slack < 0:
        raise ValueError(f"tolerance is {tolerance}, not >= 0")

    def judge(history: History, final: Any) -> Verdict:
        surely: dict[int, Exact] = {}  # ok index -> delta
        maybe: dict[int, Exact] = {}  # invoke index -> delta
        for invoke, done in history.pairs():
            if invoke.f != add:
                continue
            delta = _exact(invoke.value, f"add at op {invoke.index}")
            if done is None or done.type != "fail":
                maybe[invoke.index] = delta
            if done is not None and done.type == "ok":
                surely[done.index] = delta
        n = len(history)
        # Sums of the deltas at indices before i, for every i: one pass, not one per read.
        surely_up, surely_down = _before(n, surely, _up), _before(n, surely, _down)
        maybe_up, maybe_down = _before(n, maybe, _up), _before(n, maybe, _down)
        reads = history.completed("ok", read)
        outside = []
        for invoke, ok in reads:
            value = ok.value
            if not is_number(value):
                raise ValueError(f"ok read at op {ok.index} returned {kind(value)}, not a number")
            lower = start + surely_up[invoke.index] + maybe_down[ok.index]
            upper = start + maybe_up[ok.index] + surely_down[invoke.index]
            if not lower - slack <= value <= upper + slack:  # NaN included
                bounds = {"lower": _plain(lower), "upper": _plain(upper)}
                outside.append({"ops": [invoke.index, ok.index], "read": value, **bounds})
        counts = {"reads": len(reads), "out_of_bounds": len(outside)}
        if not reads:
            return Verdict(name, True, "no reads to check", counts=counts)
        total = plural(len(reads), "read")
        if not outside:
            return Verdict(name, True, f"{total} within bounds", counts=counts)
        message = f"{len(outside)} of {total} out of bounds"
        return Verdict(name, False, message, capped(outside), counts)

    return NamedInvariant(name, judge)


def _exact(value: Any, what: str) -> Exact:
    if not is_number(value) or not math.isfinite(value):
        shown = value if is_number(value) else kind(value)
        raise ValueError(f"{what} is {shown}, not a finite number")
    return Fraction(value) if isinstance(value, float) else value


def _up(delta: Exact) -> Exact:
    return max(delta, 0)


def _down(delta: Exact) -> Exact:
    return min(delta, 0)


def _before(n: int, deltas: Mapping[int, Exact], part: Callable[[Exact], Exact]) -> list[Exact]:
    return list(accumulate((part(deltas.get(i, 0)) for i in range(n)), initial=0))


def _plain(bound: Exact) -> int | float:
    """A bound as JSON can carry it."""
    return float(bound) if isinstance(bound, Fraction) else bound
