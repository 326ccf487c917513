"""Judging one invariant as a chaos run would, checking what every verdict promises."""

from __future__ import annotations

import json
from typing import Any

from stormproof.history import History, Invariant, Verdict, check_invariants


def judge(invariant: Invariant, history: History, final: Any = None) -> Verdict:
    [verdict] = check_invariants([invariant], history, final)
    json.dumps(verdict.to_dict())  # every verdict is JSON-ready
    assert "\n" not in verdict.message
    return verdict
