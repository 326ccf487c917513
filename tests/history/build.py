"""Terse histories for tests: one (type, process, f, value) row per op, times 0, 10, 20..."""

from __future__ import annotations

from typing import Any

from stormproof.history import History, Op

Row = tuple[str, int, str, Any]


def ops(*rows: Row) -> list[Op]:
    return [
        Op(process, type, f, value, time=10 * i) for i, (type, process, f, value) in enumerate(rows)
    ]


def history(*rows: Row) -> History:
    return History(ops(*rows))
