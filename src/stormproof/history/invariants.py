"""Ready-made invariants for the failure modes chaos runs look for: money that appears or
vanishes, sagas left half done, acknowledged writes lost, effects applied twice, resources
oversold.

Each helper takes the user's functions that pick the relevant facts out of the final state
(or the history) and returns an :class:`Invariant`. The helpers do not guard those
functions: one that raises is judged "unknown" by :func:`check_invariants`, with its reason.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from stormproof.history._report import NamedInvariant, capped, plural
from stormproof.history.history import History
from stormproof.history.verdict import Invariant, Verdict


def conservation(
    name: str,
    parts: Callable[[Any], Mapping[str, float]],
    expected: float,
    *,
    tolerance: float = 1e-6,
) -> Invariant:
    """The parts of a quantity (account -> balance) must add up to ``expected``, within
    ``tolerance`` (absolute).

    No parts at all is a total of 0, not a pass: the quantity vanished."""

    def judge(history: History, final: Any) -> Verdict:
        amounts = dict(parts(final))
        found = math.fsum(amounts.values())
        difference = found - expected
        total = f"{found:.2f}" if amounts else "0.00 in no parts"
        counts = {"parts": len(amounts)}
        if abs(difference) <= tolerance:
            return Verdict(name, True, f"total conserved: {total}", counts=counts)
        witness = {
            "expected": expected,
            "found": found,
            "difference": difference,
            "parts": amounts,
        }
        message = (
            f"total not conserved: expected {expected:.2f}, found {total} ({_signed(difference)})"
        )
        return Verdict(name, False, message, (witness,), counts)

    return NamedInvariant(name, judge)


def saga_atomicity(
    name: str, instances: Callable[[Any], Mapping[str, Mapping[str, bool]]]
) -> Invariant:
    """Every saga instance (id -> {step: done?}) must have all its steps done or none.

    Witnesses keep the order of ``instances``: the caller knows which come first."""

    def judge(history: History, final: Any) -> Verdict:
        sagas = instances(final)
        half_done = []
        for saga_id, steps in sagas.items():
            done = [step for step, finished in steps.items() if finished]
            missing = [step for step, finished in steps.items() if not finished]
            if done and missing:
                half_done.append({"id": saga_id, "done": done, "missing": missing})
        counts = {"sagas": len(sagas), "half_done": len(half_done)}
        if not sagas:
            return Verdict(name, True, "no sagas to check", counts=counts)
        total = plural(len(sagas), "saga")
        if not half_done:
            return Verdict(name, True, f"{total}, each done in full or not at all", counts=counts)
        message = f"{len(half_done)} of {total} half done"
        return Verdict(name, False, message, capped(half_done), counts)

    return NamedInvariant(name, judge)


def no_lost_writes(
    name: str,
    acknowledged: Callable[[History], Mapping[str, int]],
    present: Callable[[Any], Collection[str]],
) -> Invariant:
    """Every id the system acknowledged (``acknowledged``: id -> index of the ``ok`` op
    that acknowledged it, see :func:`acknowledged_ids`) must be in the final state.

    Witnesses come in acknowledgement order: the earliest had the longest to settle."""

    def judge(history: History, final: Any) -> Verdict:
        acked = acknowledged(history)
        if not acked:
            counts = {"acknowledged": 0, "lost": 0}
            return Verdict(name, True, "no acknowledged writes to check", counts=counts)
        here = set(_not_a_string(present(final), "present"))
        lost = sorted(
            (
                {"id": entity, "ops": [index]}
                for entity, index in acked.items()
                if entity not in here
            ),
            key=lambda witness: witness["ops"][0],
        )
        counts = {"acknowledged": len(acked), "lost": len(lost)}
        total = plural(len(acked), "acknowledged write")
        if not lost:
            return Verdict(name, True, f"{total}, all present", counts=counts)
        return Verdict(name, False, f"{len(lost)} of {total} lost", capped(lost), counts)

    return NamedInvariant(name, judge)


def acknowledged_ids(f: str, key: str) -> Callable[[History], dict[str, int]]:
    """A ready-made ``acknowledged`` for :func:`no_lost_writes`: ``value[key]`` of every
    ``ok`` op of function ``f`` (from its invoke's value when the result lacks it, for a
    client-chosen id), mapped to that ok op's index. An ok op with the key in neither value
    is an error: silently skipping it would let lost writes pass."""

    def acknowledged(history: History) -> dict[str, int]:
        ids: dict[str, int] = {}
        # In acknowledgement order, so that the first one is the one that counts.
        for invoke, ok in sorted(history.completed("ok", f), key=lambda pair: pair[1].index):
            source = next((v for v in (ok.value, invoke.value) if _has(v, key)), None)
            if source is None:
                raise ValueError(
                    f"ok op {ok.index} ({f!r}) has no {key!r} in its value or its invoke's"
                )
            ids.setdefault(source[key], ok.index)
        return ids

    return acknowledged


def no_duplicate_effects(name: str, effects: Callable[[Any], Iterable[str]]) -> Invariant:
    """Each request id may appear at most once among the effects in the final state
    (charges, bookings): a retried or duplicated request must not apply twice.

    Witnesses come most repeated first."""

    def judge(history: History, final: Any) -> Verdict:
        applied = Counter(_not_a_string(effects(final), "effects"))
        repeated = [{"id": rid, "count": n} for rid, n in applied.most_common() if n > 1]
        counts = {
            "effects": applied.total(),
            "request_ids": len(applied),
            "duplicated": len(repeated),
        }
        if not applied:
            return Verdict(name, True, "no effects to check", counts=counts)
        total = plural(len(applied), "request id")
        if not repeated:
            return Verdict(name, True, f"{total}, each applied once", counts=counts)
        message = f"{len(repeated)} of {total} applied more than once"
        return Verdict(name, False, message, capped(repeated), counts)

    return NamedInvariant(name, judge)


def bounded(name: str, resources: Callable[[Any], Iterable[tuple[str, float, float]]]) -> Invariant:
    """Every (resource, used, capacity) must have ``0 <= used <= capacity``: no seat sold
    twice, no stock below zero. Witnesses come furthest out of bounds first."""

    def judge(history: History, final: Any) -> Verdict:
        rows = list(resources(final))
        outside = [
            {"resource": resource, "used": used, "capacity": capacity}
            for resource, used, capacity in rows
            if not 0 <= used <= capacity
        ]
        outside.sort(key=_excess, reverse=True)
        counts = {"resources": len(rows), "out_of_bounds": len(outside)}
        if not rows:
            return Verdict(name, True, "no resources to check", counts=counts)
        total = plural(len(rows), "resource")
        if not outside:
            return Verdict(name, True, f"{total} within bounds", counts=counts)
        message = f"{len(outside)} of {total} out of bounds"
        return Verdict(name, False, message, capped(outside), counts)

    return NamedInvariant(name, judge)


def _excess(witness: Mapping[str, Any]) -> float:
    """How far a resource is out of bounds; NaN (no number at all) counts as furthest."""
    used, capacity = witness["used"], witness["capacity"]
    excess = max(used - capacity, -used)
    return math.inf if math.isnan(excess) else excess


def _signed(difference: float) -> str:
    """A difference with its sign, to 2 decimals unless that would show a real difference
    as +0.00."""
    text = f"{difference:+.2f}"
    return f"{difference:+.2g}" if float(text) == 0 and difference != 0 else text


def _has(value: Any, key: str) -> bool:
    return isinstance(value, Mapping) and key in value


def _not_a_string(ids: Iterable[str], what: str) -> Iterable[str]:
    # A string is an iterable of one-letter ids: a mistake the types cannot catch.
    if isinstance(ids, str | bytes):
        raise TypeError(f"{what} must return a collection of ids, not a string")
    return ids
