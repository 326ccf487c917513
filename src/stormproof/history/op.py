"""One event of a history: a process invoking an operation, or that operation completing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from stormproof.history._values import shown

OpType = Literal["invoke", "ok", "fail", "info"]
"""``invoke`` starts an operation; it ends ``ok`` (it happened), ``fail`` (it definitely did
not happen) or ``info`` (unknown: it may have happened, at any time after its invoke, or
never)."""

OP_TYPES: tuple[OpType, ...] = get_args(OpType)

REQUIRED_FIELDS = ("process", "type", "f", "value", "time")


def as_op_type(value: Any) -> OpType:
    """``value`` if it is an op type; else ValueError with a one-line reason."""
    if value not in OP_TYPES:
        raise ValueError(f"unknown type {shown(value)} (expected {', '.join(OP_TYPES)})")
    return value


@dataclass(frozen=True)
class Op:
    """One line of ``history.jsonl``.

    ``time`` is monotonic nanoseconds since the run began. ``index`` is the op's position in
    the :class:`~stormproof.history.History` that holds it (-1 outside one); it is not
    written, since a line's position already says it."""

    process: int
    type: OpType
    f: str
    value: Any
    time: int
    index: int = -1
    error: str | None = None
    """Why an op ended ``fail`` or ``info`` (``"ReadTimeout: ..."``), when known."""
    key: str | int | None = None
    """The register or key the op is about (Jepsen's ``:key``), when the workload has
    several: checkers split a history by it and check each key on its own."""

    def to_dict(self) -> dict[str, Any]:
        """The DESIGN shape, JSON-ready (as far as ``value`` is)."""
        data = {
            "process": self.process,
            "type": self.type,
            "f": self.f,
            "value": self.value,
            "time": self.time,
        }
        if self.error is not None:
            data["error"] = self.error
        if self.key is not None:
            data["key"] = self.key
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], index: int = -1) -> Op:
        """Read the DESIGN shape back, checking every field's type.

        Unknown keys are ignored, so that a newer writer's additions do not make a history
        unreadable. Raises ValueError with a one-line reason."""
        if not isinstance(data, Mapping):
            raise ValueError(f"an op must be an object, not {type(data).__name__}")
        missing = [name for name in REQUIRED_FIELDS if name not in data]
        if missing:
            s = "s" if len(missing) > 1 else ""
            raise ValueError(f"missing field{s} {', '.join(map(repr, missing))}")
        process, op_type, f, time = data["process"], data["type"], data["f"], data["time"]
        error, key = data.get("error"), data.get("key")
        # bool is an int to Python, never a process number or a time to a writer.
        if not isinstance(process, int) or isinstance(process, bool):
            raise ValueError(f"'process' must be an integer, not {shown(process)}")
        as_op_type(op_type)
        if not isinstance(f, str):
            raise ValueError(f"'f' must be a string, not {shown(f)}")
        if not isinstance(time, int) or isinstance(time, bool) or time < 0:
            raise ValueError(f"'time' must be an integer >= 0 (nanoseconds), not {shown(time)}")
        if error is not None and not isinstance(error, str):
            raise ValueError(f"'error' must be a string or null, not {shown(error)}")
        if key is not None and (not isinstance(key, str | int) or isinstance(key, bool)):
            raise ValueError(f"'key' must be a string, an integer or null, not {shown(key)}")
        return cls(process, op_type, f, data["value"], time, index, error, key)
