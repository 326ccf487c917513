"""Seeded random fault events over kinds, targets and intensities.

Everything random is drawn from one ``random.Random``, in a fixed order, so a seed names a
schedule: the same seed and scenario give the same ``schedule.json``.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stormproof.chaos.faults import FAULT_TYPES, PROCESS_FAULT_KINDS, Fault, is_process_fault
from stormproof.chaos.schedule import FaultEvent, first_conflict
from stormproof.chaos.topology import Topology, edge_name

# Intensities drawn when a scenario names a kind without them.
DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "latency": {"delay_ms": [100.0, 1000.0], "jitter_ms": [0.0, 100.0]},
    "drop": {"probability": [0.3, 1.0]},
    "http_error": {"probability": [0.5, 1.0]},
    "drop_response": {"probability": [0.5, 1.0]},
    "duplicate": {"probability": [0.5, 1.0]},
    "skew": {"offset_s": [30.0, 300.0]},
}
RESERVED = ("weight", "targets")
_PLACEMENT_TRIES = 20
_SHORTEST_FAULT_S = 0.5
# Times are rounded to milliseconds; a draw below that would not move time on.
_TICK_S = 0.001


class SpecError(ValueError):
    """A bad ``generate`` entry; ``keys`` is where, below ``generate.faults``."""

    def __init__(self, keys: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.keys = keys


@dataclass(frozen=True)
class Param:
    """One fault field's draw: a fixed value, a uniform float range, or a choice."""

    fixed: Any = None
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()

    def draw(self, rng: random.Random) -> Any:
        if self.low is not None and self.high is not None:
            return round(rng.uniform(self.low, self.high), 3)
        if self.choices:
            return rng.choice(self.choices)
        return self.fixed

    def extremes(self) -> tuple[Any, ...]:
        if self.low is not None:
            return (self.low, self.high)
        return self.choices or (self.fixed,)


@dataclass(frozen=True)
class FaultDraw:
    kind: str
    weight: float
    targets: tuple[str, ...]
    params: Mapping[str, Param]

    def fault(self, rng: random.Random) -> Fault:
        values = {name: param.draw(rng) for name, param in self.params.items()}
        return FAULT_TYPES[self.kind](**values)


def compile_draws(faults: Mapping[str, Mapping[str, Any]], topology: Topology) -> list[FaultDraw]:
    """The ``generate.faults`` entries as draws; raises SpecError naming the bad key."""
    return [_compile_draw(kind, spec, topology) for kind, spec in faults.items()]


def _compile_draw(kind: str, spec: Mapping[str, Any], topology: Topology) -> FaultDraw:
    cls = FAULT_TYPES.get(kind)
    if cls is None:
        raise SpecError((kind,), f"unknown fault kind '{kind}'; kinds are {', '.join(FAULT_TYPES)}")
    weight = spec.get("weight", 1.0)
    if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
        raise SpecError((kind, "weight"), f"weight must be a number > 0, got {weight!r}")
    hints = typing.get_type_hints(cls)
    fields = [field.name for field in dataclasses.fields(cls)]
    given = {**DEFAULT_PARAMS.get(kind, {}), **{k: v for k, v in spec.items() if k not in RESERVED}}
    params: dict[str, Param] = {}
    for name, value in given.items():
        if name not in fields:
            expected = ", ".join([*RESERVED, *fields])
            raise SpecError((kind, name), f"{kind} has no parameter '{name}'; it takes {expected}")
        params[name] = _param(kind, name, value, hints[name])
    _check_params(kind, params)
    targets = _targets(kind, spec.get("targets"), topology)
    return FaultDraw(kind, float(weight), targets, params)


def _param(kind: str, name: str, value: Any, hint: Any) -> Param:
    if not isinstance(value, list):
        return Param(fixed=value)
    if hint is float:
        numbers = [v for v in value if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(value) != 2 or len(numbers) != 2 or numbers[0] > numbers[1]:
            raise SpecError((kind, name), f"{name} takes a number or [low, high], got {value}")
        return Param(low=float(numbers[0]), high=float(numbers[1]))
    if not value:
        raise SpecError((kind, name), f"{name}: an empty list has nothing to choose from")
    return Param(choices=tuple(value))


def _check_params(kind: str, params: Mapping[str, Param]) -> None:
    """Build the fault with every combination of the parameters' extremes, so a bad value
    (or a bad pair, such as a refusing one-way partition) fails now, not in the middle of a
    run. Parameters are added one at a time, so the error names the one that breaks it."""
    names = list(params)
    for count in range(1, len(names) + 1):
        chosen = names[:count]
        for values in itertools.product(*(params[name].extremes() for name in chosen)):
            try:
                FAULT_TYPES[kind](**dict(zip(chosen, values, strict=True)))
            except (TypeError, ValueError) as error:
                raise SpecError((kind, chosen[-1]), str(error)) from None


def _targets(kind: str, given: object, topology: Topology) -> tuple[str, ...]:
    process = kind in PROCESS_FAULT_KINDS
    if given is None:
        if process:
            return topology.services
        return tuple(edge_name(edge) for edge in topology.service_edges)
    if not isinstance(given, list) or not given or not all(isinstance(t, str) for t in given):
        raise SpecError((kind, "targets"), "targets is a list of services or caller->callee edges")
    for target in given:
        try:
            topology.process_target(target) if process else topology.network_edges(target)
        except ValueError as error:
            raise SpecError((kind, "targets"), str(error)) from None
    return tuple(given)


@dataclass(frozen=True)
class Pace:
    every: tuple[float, float]
    length: tuple[float, float]
    max_active: int


def generate_events(
    draws: Sequence[FaultDraw],
    pace: Pace,
    duration: float,
    rng: random.Random,
    topology: Topology,
    fixed: Sequence[FaultEvent] = (),
) -> list[FaultEvent]:
    """Random events inside ``[0, duration)`` that never conflict with each other or with the
    ``fixed`` ones, and never have more than ``max_active`` active at once (fixed included)."""
    events: list[FaultEvent] = []
    at = _round(rng.uniform(*pace.every))
    while at < duration - _SHORTEST_FAULT_S:
        placed = [*fixed, *events]
        active = [e for e in placed if e.at <= at < e.end]
        if len(active) >= pace.max_active:
            at = min(e.end for e in active)
            continue
        length = _round(max(min(rng.uniform(*pace.length), duration - at), _TICK_S))
        event = None
        if _fits(placed, at, at + length, pace.max_active):
            event = _place(draws, at, length, rng, topology, placed)
        if event is not None:
            events.append(event)
        at = _round(at + max(rng.uniform(*pace.every), _TICK_S))
    return events


def _fits(placed: list[FaultEvent], at: float, end: float, max_active: int) -> bool:
    """Whether one more event from ``at`` to ``end`` leaves at most ``max_active`` active at
    every moment. The number only grows where an event starts: at ``at``, and where a fixed
    event starts later (generated ones are placed in order)."""
    starts = [at, *(e.at for e in placed if at < e.at < end)]
    return all(sum(1 for e in placed if e.at <= t < e.end) < max_active for t in starts)


def _place(
    draws: Sequence[FaultDraw],
    at: float,
    length: float,
    rng: random.Random,
    topology: Topology,
    placed: list[FaultEvent],
) -> FaultEvent | None:
    weights = [draw.weight for draw in draws]
    for _ in range(_PLACEMENT_TRIES):
        draw = rng.choices(draws, weights)[0]
        event = FaultEvent(at, length, rng.choice(draw.targets), draw.fault(rng))
        if first_conflict(event, placed, topology) is None and _can_follow(event, placed):
            return event
    return None


def _can_follow(event: FaultEvent, placed: list[FaultEvent]) -> bool:
    # A process fault on a service another process fault has just ended on would start
    # while the restart is still in progress; keep them apart by a second.
    if not is_process_fault(event.fault):
        return True
    return all(
        not (is_process_fault(e.fault) and e.target == event.target and 0 <= event.at - e.end < 1)
        for e in placed
    )


def _round(seconds: float) -> float:
    return round(seconds, 3)
