"""Fault specifications for one proxied edge: plain frozen data, so that a schedule can be
written to JSON and replayed.

Each class has a ``kind`` (its JSON tag); a proxy holds at most one fault of each kind, so
setting a fault of a kind that is already active replaces it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

Direction = Literal["both", "upstream", "downstream"]
"""``upstream`` is client→server (requests), ``downstream`` is server→client (responses)."""

DIRECTIONS: tuple[str, ...] = ("both", "upstream", "downstream")
PARTITION_MODES: tuple[str, ...] = ("refuse", "blackhole")


def _require(condition: bool, fault: str, message: str) -> None:
    if not condition:
        raise ValueError(f"{fault}: {message}")


def _check_probability(fault: str, probability: float) -> None:
    _require(0.0 <= probability <= 1.0, fault, f"probability must be in [0, 1], got {probability}")


def _check_direction(fault: str, direction: str) -> None:
    _require(
        direction in DIRECTIONS,
        fault,
        f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}",
    )


def covers(direction: str, flow: str) -> bool:
    """Whether a fault aimed at ``direction`` affects bytes flowing ``flow``."""
    return direction == "both" or direction == flow


@dataclass(frozen=True)
class Partition:
    """``refuse``: new connections are reset at once and open ones are reset when it is set.
    ``blackhole``: bytes in ``direction`` are swallowed, so peers hang until their timeouts.
    A refusal cuts the connection as a whole, so it only takes ``direction="both"``."""

    kind: ClassVar[str] = "partition"
    direction: Direction = "both"
    mode: Literal["refuse", "blackhole"] = "blackhole"

    def __post_init__(self) -> None:
        _check_direction(self.kind, self.direction)
        _require(
            self.mode in PARTITION_MODES,
            self.kind,
            f"mode must be refuse or blackhole, got {self.mode!r}",
        )
        _require(
            self.mode == "blackhole" or self.direction == "both",
            self.kind,
            "a refusing partition cuts both directions; use mode='blackhole' for one way",
        )


@dataclass(frozen=True)
class Latency:
    """Every chunk (in HTTP mode: every message) in ``direction`` waits
    ``delay_ms`` ± uniform ``jitter_ms`` (never below zero) before it is forwarded."""

    kind: ClassVar[str] = "latency"
    delay_ms: float
    jitter_ms: float = 0.0
    direction: Direction = "both"

    def __post_init__(self) -> None:
        _require(self.delay_ms >= 0, self.kind, f"delay_ms must be >= 0, got {self.delay_ms}")
        _require(self.jitter_ms >= 0, self.kind, f"jitter_ms must be >= 0, got {self.jitter_ms}")
        _check_direction(self.kind, self.direction)


@dataclass(frozen=True)
class Drop:
    """Each new connection is closed (FIN) before anything is forwarded, with ``probability``."""

    kind: ClassVar[str] = "drop"
    probability: float = 1.0

    def __post_init__(self) -> None:
        _check_probability(self.kind, self.probability)


@dataclass(frozen=True)
class Reset:
    """A connection is reset (RST) once ``after_bytes`` bytes, both directions together, have
    passed through it; the bytes before that point are delivered. Open connections already
    past that point are reset when the fault is set."""

    kind: ClassVar[str] = "reset"
    after_bytes: int = 0

    def __post_init__(self) -> None:
        _require(
            self.after_bytes >= 0, self.kind, f"after_bytes must be >= 0, got {self.after_bytes}"
        )


@dataclass(frozen=True)
class HttpError:
    """Answer a request with ``status`` without forwarding it, with ``probability``."""

    kind: ClassVar[str] = "http_error"
    probability: float = 1.0
    status: int = 503

    def __post_init__(self) -> None:
        _check_probability(self.kind, self.probability)
        _require(500 <= self.status <= 599, self.kind, f"status must be 5xx, got {self.status}")


@dataclass(frozen=True)
class DropResponse:
    """Forward a request, read the whole response, then close the client connection without
    sending it (a timeout after commit), with ``probability``."""

    kind: ClassVar[str] = "drop_response"
    probability: float = 1.0

    def __post_init__(self) -> None:
        _check_probability(self.kind, self.probability)


@dataclass(frozen=True)
class Duplicate:
    """Deliver a request to the upstream twice, with ``probability``: the copy goes on a
    separate upstream connection once the first response is in, and the client gets the
    first response only."""

    kind: ClassVar[str] = "duplicate"
    probability: float = 1.0

    def __post_init__(self) -> None:
        _check_probability(self.kind, self.probability)


@dataclass(frozen=True)
class Kill:
    """SIGKILL the service's whole process group; it is started again (same port, same data)
    when the fault ends, and the run waits for its health check before going on with it."""

    kind: ClassVar[str] = "kill"


@dataclass(frozen=True)
class Pause:
    """SIGSTOP the service's process group for the fault's duration, then SIGCONT: a process
    that is alive, holds its connections and answers nothing (a GC pause, a frozen VM)."""

    kind: ClassVar[str] = "pause"


@dataclass(frozen=True)
class Skew:
    """Move the service's clock by ``offset_s`` seconds (libfaketime), for the fault's
    duration."""

    kind: ClassVar[str] = "skew"
    offset_s: float = 60.0

    def __post_init__(self) -> None:
        number = isinstance(self.offset_s, int | float) and not isinstance(self.offset_s, bool)
        _require(number, self.kind, f"offset_s must be a number of seconds, got {self.offset_s!r}")


NetworkFault = Partition | Latency | Drop | Reset | HttpError | DropResponse | Duplicate
ProcessFault = Kill | Pause | Skew
Fault = NetworkFault | ProcessFault

FAULT_TYPES: dict[str, type[Fault]] = {
    cls.kind: cls
    for cls in (
        Partition,
        Latency,
        Drop,
        Reset,
        HttpError,
        DropResponse,
        Duplicate,
        Kill,
        Pause,
        Skew,
    )
}
HTTP_FAULT_KINDS: frozenset[str] = frozenset({"http_error", "drop_response", "duplicate"})
PROCESS_FAULT_KINDS: frozenset[str] = frozenset({"kill", "pause", "skew"})


def is_process_fault(fault: Fault) -> bool:
    """Whether ``fault`` acts on a service's processes rather than on an edge's proxy."""
    return fault.kind in PROCESS_FAULT_KINDS


def fault_to_dict(fault: Fault) -> dict[str, Any]:
    """The JSON form: ``{"kind": ..., <fields>}``."""
    return {"kind": fault.kind, **dataclasses.asdict(fault)}


def fault_from_dict(data: dict[str, Any]) -> Fault:
    """Inverse of :func:`fault_to_dict`; raises ValueError with a one-line reason."""
    fields = dict(data)
    kind = fields.pop("kind", None)
    cls = FAULT_TYPES.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_TYPES)}")
    known = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ValueError(
            f"{kind}: unknown field(s) {', '.join(unknown)}; expected {', '.join(sorted(known))}"
        )
    try:
        return cls(**fields)
    except TypeError as error:
        raise ValueError(f"{kind}: {error}") from None
