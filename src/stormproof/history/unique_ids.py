"""Ids handed out twice, after Jepsen's ``unique-ids``: every acknowledged call of an id
generator must have returned a value no other acknowledged call returned."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from stormproof.history._report import NamedInvariant, capped, plural
from stormproof.history._values import freeze
from stormproof.history.history import History
from stormproof.history.verdict import Invariant, Verdict


def unique_ids(name: str, *, f: str = "generate") -> Invariant:
    """Every ``ok`` op of ``f`` must return a distinct value (lists and objects compared
    by content).

    Witnesses are ``{"id", "count", "ops": [the ok ops that returned it]}``, most
    repeated first. Counts: ``acknowledged`` (ok ops), ``distinct`` (values),
    ``duplicated`` (values returned more than once). An ok op that returned null is an
    error naming it: two of them are no duplicate id, and skipping them could hide one."""

    def judge(history: History, final: Any) -> Verdict:
        returned: dict[Hashable, list[int]] = {}  # frozen id -> ok indices
        first: dict[Hashable, Any] = {}  # frozen id -> the id as returned
        acknowledged = history.completed("ok", f)
        for _, ok in acknowledged:
            if ok.value is None:
                raise ValueError(f"ok op {ok.index} ({f!r}) returned no id")
            key = freeze(ok.value)
            returned.setdefault(key, []).append(ok.index)
            first.setdefault(key, ok.value)
        repeated = sorted(
            (
                {"id": first[key], "count": len(ops), "ops": ops}
                for key, ops in returned.items()
                if len(ops) > 1
            ),
            key=lambda witness: (-witness["count"], witness["ops"][0]),
        )
        counts = {
            "acknowledged": len(acknowledged),
            "distinct": len(returned),
            "duplicated": len(repeated),
        }
        if not acknowledged:
            return Verdict(name, True, "no ids to check", counts=counts)
        total = plural(len(returned), "id")
        if not repeated:
            return Verdict(name, True, f"{total}, all distinct", counts=counts)
        message = f"{len(repeated)} of {total} returned more than once"
        return Verdict(name, False, message, capped(repeated), counts)

    return NamedInvariant(name, judge)
