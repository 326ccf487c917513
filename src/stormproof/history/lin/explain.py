"""A linearizability verdict in words, for the terminal and for summary.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stormproof.history.lin.result import LinResult

SHOWN_LINEARIZED = 8
"""The end of the prefix's linearization that a text witness shows; JSON has all of it."""

SHOWN_CONCURRENT = 8


def headline(result: LinResult) -> str:
    """One line: the verdict and the size of the check."""
    verdict = {True: "linearizable", False: "NOT linearizable", "unknown": "unknown"}[result.valid]
    keys = f", {result.keys} keys" if result.keys > 1 else ""
    return f"{verdict} ({result.model}, {result.ops} ops{keys}, {_seconds(result.seconds)})"


def explain(result: LinResult) -> list[str]:
    """The lines under the headline: why it is not linearizable, or why it is unknown."""
    if result.valid == "unknown":
        return [result.reason]
    if result.witness is None:
        return []
    witness = result.witness
    op = witness["op"]
    key = "" if witness["key"] is None else f" on key {witness['key']!r}"
    upto = (
        f"op {witness['prefix']}"
        if witness.get("prefix_line") is None
        else f"line {witness['prefix_line']}"
    )
    lines = [
        f"everything before {upto} is linearizable{key}, "
        "but the op that completes there cannot be placed:",
        f"  {show_op(op)}",
        *(f"  {line}" for line in witness.get("why") or [_state_line(witness)]),
    ]
    concurrent = witness["concurrent"]
    if concurrent:
        lines.append("concurrent with it (each could also have taken effect before it):")
        lines.extend(f"  {show_op(other)}" for other in concurrent[:SHOWN_CONCURRENT])
        if len(concurrent) > SHOWN_CONCURRENT:
            lines.append(f"  ... and {len(concurrent) - SHOWN_CONCURRENT} more")
    order = witness["linearization"]
    if order:
        tail = order[-SHOWN_LINEARIZED:]
        shown = "" if len(tail) == len(order) else f" (the last {len(tail)} of {len(order)})"
        lines.append(f"one linearization of the prefix{shown}:")
        lines.extend(f"  {show_op(other)}" for other in tail)
    return lines


def show_op(op: Mapping[str, Any]) -> str:
    """``line 85  process 11  read 2  (ok at line 86)``, or by op index for a history that
    was not read from a file."""
    if "line" in op:
        where, done_at = f"line {op['line']}", op.get("completion_line")
        done_where = f"line {done_at}"
    else:
        where, done_where = f"op {op['index']}", f"op {op.get('completion')}"
    ended = "never completed" if "completion" not in op else f"{op['type']} at {done_where}"
    return f"{where:<10} process {op['process']:<4} {op['f']} {_value(op['value'])}  ({ended})"


def _state_line(witness: Mapping[str, Any]) -> str:
    states = list(witness["states"])
    if not witness["complete"]:
        return "the states it would have had to match were not worked out in time"
    if not states:
        return "no state of the model allows it at that point"
    if witness["more_states"]:
        total = len(states) + witness["more_states"]
        return f"at that point the state could be any of {total}: {', '.join(states)}, ..."
    if len(states) == 1:
        return f"at that point the state could only be {states[0]}"
    return f"at that point the state could only be {', '.join(states[:-1])} or {states[-1]}"


def _value(value: Any) -> str:
    text = "nil" if value is None else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _seconds(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"
