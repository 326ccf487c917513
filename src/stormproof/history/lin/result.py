"""What a linearizability check concludes, in one shape for people, JSON and chaos."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stormproof.history.verdict import Validity


@dataclass(frozen=True)
class LinResult:
    """The verdict on one history.

    ``valid`` is True (linearizable), False (not: ``witness`` says where) or "unknown" (the
    time budget ran out: ``reason`` says so). ``ops`` counts the operations checked (fails
    and unknown reads left out); ``keys`` the independent parts checked; ``seconds`` the
    time it took; ``configurations`` how many search states were expanded (a measure of the
    work, independent of the machine; none for the keys the fast path for append-only keys
    decides)."""

    model: str
    valid: Validity
    ops: int
    keys: int
    seconds: float
    configurations: int
    witness: dict[str, Any] | None = None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "linearizable": self.valid,
            "ops": self.ops,
            "keys": self.keys,
            "seconds": round(self.seconds, 6),
            "configurations": self.configurations,
            "witness": self.witness,
            "reason": self.reason,
        }
