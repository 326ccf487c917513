"""A fault schedule: exactly which fault starts where, when, and for how long.

A schedule is what a scenario and a seed produce, and all a run needs to apply the same
faults again (``schedule.json``, ``--replay``). Times are seconds from the start of the
workload.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stormproof.chaos.faults import Fault, fault_from_dict, fault_to_dict, is_process_fault
from stormproof.chaos.topology import Topology

SCHEDULE_VERSION = 1


@dataclass(frozen=True)
class FaultEvent:
    at: float
    duration: float
    target: str
    fault: Fault

    @property
    def end(self) -> float:
        return self.at + self.duration

    @property
    def label(self) -> str:
        """``latency(delay_ms=800) on booking->payments``: how logs and summaries name it."""
        params = fault_to_dict(self.fault)
        del params["kind"]
        args = ", ".join(f"{key}={_show(value)}" for key, value in params.items())
        return f"{self.fault.kind}({args}) on {self.target}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "duration": self.duration,
            "target": self.target,
            "fault": fault_to_dict(self.fault),
        }

    @classmethod
    def from_dict(cls, data: Any) -> FaultEvent:
        """Raises ValueError with a one-line reason."""
        if not isinstance(data, dict):
            raise ValueError(f"an event is a mapping, not {type(data).__name__}")
        missing = {"at", "duration", "target", "fault"} - set(data)
        if missing:
            raise ValueError(f"an event needs {', '.join(sorted(missing))}")
        at, duration, target, fault = data["at"], data["duration"], data["target"], data["fault"]
        if not _is_number(at) or at < 0 or not _is_number(duration) or duration <= 0:
            raise ValueError(f"bad times at={at!r} duration={duration!r}")
        if not isinstance(target, str) or not isinstance(fault, dict):
            raise ValueError("target must be a string and fault a mapping")
        return cls(float(at), float(duration), target, fault_from_dict(fault))


def _show(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _is_number(value: object) -> bool:
    # JSON readers accept NaN and Infinity; a fault that never ends is no schedule.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Schedule:
    scenario: str
    seed: int
    duration: float
    events: tuple[FaultEvent, ...]

    @property
    def needs_clock_control(self) -> bool:
        return any(event.fault.kind == "skew" for event in self.events)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEDULE_VERSION,
            "scenario": self.scenario,
            "seed": self.seed,
            "duration": self.duration,
            "events": [event.to_dict() for event in self.events],
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")


def sort_events(events: list[FaultEvent]) -> tuple[FaultEvent, ...]:
    return tuple(sorted(events, key=lambda e: (e.at, e.target, e.fault.kind)))


def resources(event: FaultEvent, topology: Topology) -> list[tuple[str, str]]:
    """What ``event`` holds while it is active; two events that hold one resource at the same
    time conflict. A proxy holds one fault of each kind; a service one process fault."""
    if is_process_fault(event.fault):
        return [("process", topology.process_target(event.target))]
    return [(f"{a}->{b}", event.fault.kind) for a, b in topology.network_edges(event.target)]


def first_conflict(
    event: FaultEvent, others: list[FaultEvent], topology: Topology
) -> FaultEvent | None:
    """An event in ``others`` that overlaps ``event`` in time and holds one of its resources."""
    mine = set(resources(event, topology))
    for other in others:
        overlaps = other.at < event.end and event.at < other.end
        if overlaps and mine & set(resources(other, topology)):
            return other
    return None


def check_schedule(schedule: Schedule, topology: Topology) -> None:
    """Raises ValueError when an event names no target of ``topology``, or two conflict."""
    for index, event in enumerate(schedule.events):
        try:
            conflict = first_conflict(event, list(schedule.events[:index]), topology)
        except ValueError as error:
            raise ValueError(f"event {index + 1} ({event.label}): {error}") from None
        if conflict is not None:
            raise ValueError(
                f"event {index + 1} ({event.label}) overlaps {conflict.label} at "
                f"{conflict.at:g}s on the same target"
            )


def read_schedule(path: Path) -> Schedule:
    """A ``schedule.json`` (or the run directory that holds one); raises ValueError."""
    if path.is_dir():
        path = path / "schedule.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file (a run directory holds schedule.json)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a readable schedule ({error})") from None
    if not isinstance(data, dict) or data.get("version") != SCHEDULE_VERSION:
        raise ValueError(f"{path}: not a version {SCHEDULE_VERSION} stormproof schedule")
    try:
        events = tuple(FaultEvent.from_dict(item) for item in data["events"])
        schedule = Schedule(
            str(data["scenario"]), int(data["seed"]), float(data["duration"]), events
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: {error}") from None
    return schedule
