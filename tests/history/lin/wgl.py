"""A second oracle, for histories too long for the brute force: Wing & Gong's search as
plainly as it can be written (Lowe's memoised form), with none of the checker's reductions.

The model rules are the brute force's (``brute._apply``), not the checker's."""

from __future__ import annotations

from typing import Any

from stormproof.history import History
from tests.history.lin.brute import INITIAL, PARTITIONED, Call, _apply, _calls


def wgl_linearizable(history: History, model: str) -> bool:
    calls = _calls(history, model)
    if model not in PARTITIONED:
        return _search(calls, model)
    keys = list(dict.fromkeys(call.key for call in calls))
    return all(_search([c for c in calls if c.key == key], model) for key in keys)


def _search(calls: list[Call], model: str) -> bool:
    """Depth first: any op may go next if no op still to place completed before it was
    invoked; done when every op that must happen (not info) is placed."""
    required = frozenset(i for i, call in enumerate(calls) if call.outcome != "info")
    failed: set[tuple[frozenset[int], Any]] = set()

    def extend(placed: frozenset[int], state: Any) -> bool:
        if required <= placed:
            return True
        if (placed, state) in failed:
            return False
        waiting = [i for i in range(len(calls)) if i not in placed]
        for i in waiting:
            if any(calls[j].end < calls[i].start for j in waiting):
                continue  # another op still to place had completed before this one began
            allowed, after = _apply(model, state, calls[i])
            if allowed and extend(placed | {i}, after):
                return True
        failed.add((placed, state))
        return False

    return extend(frozenset(), INITIAL[model])
