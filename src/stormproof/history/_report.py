"""What every ready-made invariant shares: its shape, and how it reports what it found."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from stormproof.history.history import History
from stormproof.history.verdict import Verdict

MAX_WITNESSES = 10
"""A report needs the smallest examples, not all of them; messages still say the total."""


@dataclass(frozen=True)
class NamedInvariant:
    """What every helper returns: a name and the function that judges."""

    name: str
    judge: Callable[[History, Any], Verdict]

    def __call__(self, history: History, final: Any) -> Verdict:
        return self.judge(history, final)


def capped(witnesses: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    return tuple(witnesses[:MAX_WITNESSES])


def plural(n: int, noun: str) -> str:
    """``3 sagas``, ``1 saga``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
