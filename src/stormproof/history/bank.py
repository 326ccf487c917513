"""Reads of a bank that show money made or destroyed, after Jepsen's ``bank``: transfers
move money between accounts, so every read of all the balances must add up to the same
total, and (usually) show no account overdrawn."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from stormproof.history._report import NamedInvariant, capped, plural
from stormproof.history._values import is_number, kind
from stormproof.history.history import History
from stormproof.history.verdict import Invariant, Verdict


def bank(
    name: str,
    *,
    total: float,
    read: str = "read",
    negative: bool = False,
    tolerance: float = 0.0,
) -> Invariant:
    """Every ``ok`` read (its value: account -> balance) must add up to ``total``, within
    ``tolerance`` (absolute; balances in floats rarely add up exactly), and show no
    negative balance unless ``negative``.

    Witnesses are ``{"ops": [read invoke, read ok], "sum", "balances"}``, with
    ``"negative"`` (the overdrawn accounts) when there are any, earliest first. Counts:
    ``reads``, ``wrong_total``, ``negative`` (reads showing a negative balance). A read
    whose value is not an object of numbers is an error naming the op."""

    def judge(history: History, final: Any) -> Verdict:
        reads = history.completed("ok", read)
        wrong = overdrawn = 0
        witnesses = []
        for invoke, ok in reads:
            balances = _balances(ok.value, ok.index)
            found = _sum(balances.values())
            below = [] if negative else [a for a, b in balances.items() if b < 0]
            off = not abs(found - total) <= tolerance  # NaN included
            wrong += off
            overdrawn += bool(below)
            if off or below:
                witness = {"ops": [invoke.index, ok.index], "sum": found, "balances": balances}
                witnesses.append({**witness, "negative": below} if below else witness)
        counts = {"reads": len(reads), "wrong_total": wrong, "negative": overdrawn}
        if not reads:
            return Verdict(name, True, "no reads to check", counts=counts)
        reads_n = plural(len(reads), "read")
        if not witnesses:
            unless = "" if negative else ", none negative"
            return Verdict(name, True, f"{reads_n}, each totalling {total}{unless}", counts=counts)
        problems = ((wrong, f"total other than {total}"), (overdrawn, "with a negative balance"))
        (n, first), *rest = [(n, problem) for n, problem in problems if n]
        message = ", ".join([f"{n} of {reads_n} {first}", *(f"{m} {p}" for m, p in rest)])
        return Verdict(name, False, message, capped(witnesses), counts)

    return NamedInvariant(name, judge)


def _balances(value: Any, index: int) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"ok read at op {index} returned {kind(value)}, not an object of balances")
    wrong = next((account for account, b in value.items() if not is_number(b)), None)
    if wrong is not None:
        raise ValueError(
            f"ok read at op {index}: balance of {wrong!r} is {kind(value[wrong])}, not a number"
        )
    return dict(value)


def _sum(balances: Iterable[float]) -> float:
    """Exact for integers (fsum would round big ones), correctly rounded for floats."""
    amounts = list(balances)
    return sum(amounts) if all(isinstance(b, int) for b in amounts) else math.fsum(amounts)
