"""What an invariant says about a run, and how a run's invariants are judged together."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Protocol

from stormproof.history.history import History

Validity = bool | Literal["unknown"]
"""True: it held. False: it was violated. "unknown": it could not be judged."""


@dataclass(frozen=True)
class Verdict:
    """One invariant's judgement of one run.

    ``message`` is one line: what held, or what broke and how often. ``witnesses`` are
    JSON-ready dicts, most telling first; one may carry ``"id"`` (an entity id the history
    mentions, see :meth:`History.mentioning`) and ``"ops"`` (history indices).

    ``counts`` says how many things were judged and how many broke (``{"sagas": 283,
    "half_done": 249}``), so that runs can be compared without parsing messages. A checker
    writes the same keys whatever it finds, zeros included; an "unknown" verdict has none.
    It is held read-only and left out of the hash (a mapping has none)."""

    name: str
    valid: Validity
    message: str
    witnesses: tuple[dict[str, Any], ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        # Identity, not equality: 1 and 0 are no verdict.
        if not (self.valid is True or self.valid is False or self.valid == "unknown"):
            raise ValueError(f"valid must be true, false or 'unknown', not {self.valid!r}")
        # A list would make the frozen verdict mutable through the back door.
        object.__setattr__(self, "witnesses", tuple(self.witnesses))
        counts = dict(self.counts)
        wrong = ", ".join(f"{key!r}: {n!r}" for key, n in counts.items() if not _is_count(key, n))
        if wrong:
            raise ValueError(f"counts must map names to non-negative integers, not {wrong}")
        object.__setattr__(self, "counts", MappingProxyType(counts))

    def __reduce__(self) -> tuple[type[Verdict], tuple[Any, ...]]:
        # A read-only mapping cannot be pickled; the dict it wraps can.
        args = (self.name, self.valid, self.message, self.witnesses, dict(self.counts))
        return (type(self), args)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "valid": self.valid,
            "message": self.message,
            "counts": dict(self.counts),
            "witnesses": list(self.witnesses),
        }


class Invariant(Protocol):
    """A named judgement of (history, final state); ``final`` is whatever the workload's
    ``final_state`` returned."""

    name: str

    def __call__(self, history: History, final: Any) -> Verdict: ...


def check_invariants(
    invariants: Iterable[Invariant], history: History, final: Any
) -> list[Verdict]:
    """Every invariant's verdict, in order. An invariant that raises (a user's function
    meeting a final state it did not expect) or returns something else is judged
    "unknown", with the reason, rather than ending the run's report."""
    verdicts = []
    for invariant in invariants:
        name = getattr(invariant, "name", repr(invariant))
        try:
            verdict = invariant(history, final)
        except Exception as exc:  # the user's code: any failure is a reason, not a crash
            verdict = Verdict(name, "unknown", _one_line(exc))
        if not isinstance(verdict, Verdict):
            verdict = Verdict(name, "unknown", f"returned {type(verdict).__name__}, not a Verdict")
        verdicts.append(verdict)
    return verdicts


def _is_count(key: Any, n: Any) -> bool:
    return isinstance(key, str) and isinstance(n, int) and not isinstance(n, bool) and n >= 0


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
