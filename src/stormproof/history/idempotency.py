"""Requests applied twice, as the history shows them: calls that carry the same
idempotency key (a client-chosen id, sent again on every retry) are one request, so the
system must answer all of them alike. A retry answered with a different booking id made a
second booking."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from stormproof.history._report import NamedInvariant, capped, plural
from stormproof.history._values import freeze
from stormproof.history.history import History
from stormproof.history.verdict import Invariant, Verdict


def same_response(name: str, *, f: str, key: str) -> Invariant:
    """All ``ok`` ops of ``f`` whose invoke values have the same ``value[key]`` must have
    returned equal values.

    Witnesses are ``{"id": the key's value, "ops": [ok ops], "responses": [what each
    returned]}``, earliest first. Counts: ``keys``, ``reused`` (keys of more than one ok
    op), ``conflicting`` (reused keys answered differently). An ok op whose invoke lacks
    the key is an error naming it: skipping it could hide a duplicate."""

    def judge(history: History, final: Any) -> Verdict:
        calls: dict[Hashable, list[tuple[Any, int, Any]]] = {}  # frozen key -> (key, ok, value)
        # In answer order, so that witnesses and their ops come earliest first.
        for invoke, ok in sorted(history.completed("ok", f), key=lambda pair: pair[1].index):
            if not (isinstance(invoke.value, Mapping) and key in invoke.value):
                raise ValueError(
                    f"ok op {ok.index} ({f!r}) has no {key!r} in its invoke's value "
                    f"(op {invoke.index})"
                )
            request = invoke.value[key]
            calls.setdefault(freeze(request), []).append((request, ok.index, ok.value))
        reused = [answers for answers in calls.values() if len(answers) > 1]
        conflicting = [
            {
                "id": answers[0][0],
                "ops": [index for _, index, _ in answers],
                "responses": [value for _, _, value in answers],
            }
            for answers in reused
            if any(value != answers[0][2] for _, _, value in answers)
        ]
        counts = {"keys": len(calls), "reused": len(reused), "conflicting": len(conflicting)}
        if not calls:
            return Verdict(name, True, "no keys to check", counts=counts)
        if not conflicting:
            message = f"{plural(len(calls), 'key')}, {len(reused)} reused, each answered alike"
            return Verdict(name, True, message, counts=counts)
        message = f"{len(conflicting)} of {plural(len(reused), 'reused key')} answered differently"
        return Verdict(name, False, message, capped(conflicting), counts)

    return NamedInvariant(name, judge)
