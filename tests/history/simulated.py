"""Histories of a correct (linearizable) object, drawn by hypothesis: each op takes effect
at one moment between its invoke and its completion, or never if it fails first. An op
that ends ``info`` may take effect before its info, at any moment after it, or never; its
process is retired."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Any

from hypothesis import strategies as st

from stormproof.history import History
from tests.history.build import history

Apply = Callable[[str, Any], Any]
"""Applies (f, invoke value) to the object and returns the ok completion's value."""


@st.composite
def linearized(
    draw: st.DrawFn,
    new_object: Callable[[], Apply],
    invocations: st.SearchStrategy[tuple[str, Any]],
    *,
    processes: int = 3,
    max_steps: int = 60,
) -> History:
    apply = new_object()
    active = list(range(processes))
    fresh = count(processes)
    pending: dict[int, list[Any]] = {}  # process -> [f, value, applied?, result]
    in_flight: list[tuple[str, Any]] = []  # ended info before taking effect
    rows = []
    for _ in range(draw(st.integers(0, max_steps))):
        if in_flight and draw(st.booleans()):
            apply(*in_flight.pop(draw(st.integers(0, len(in_flight) - 1))))
            continue
        slot = draw(st.integers(0, len(active) - 1))
        process = active[slot]
        op = pending.get(process)
        if op is None:
            f, value = draw(invocations)
            pending[process] = [f, value, False, None]
            rows.append(("invoke", process, f, value))
            continue
        f, value, applied, result = op
        step = draw(st.sampled_from(["ok", "info"] if applied else ["apply", "fail", "info"]))
        if step == "apply":
            op[2:] = [True, apply(f, value)]
            continue
        del pending[process]
        rows.append((step, process, f, result if step == "ok" else value))
        if step == "info":
            active[slot] = next(fresh)
            if not applied:
                in_flight.append((f, value))
    return history(*rows)
