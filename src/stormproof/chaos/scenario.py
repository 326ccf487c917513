"""From a scenario in the manifest and a seed to the schedule a run applies."""

from __future__ import annotations

import random

from stormproof.chaos.errors import ChaosError
from stormproof.chaos.faults import FAULT_TYPES, Fault, fault_from_dict
from stormproof.chaos.generator import Pace, SpecError, compile_draws, generate_events
from stormproof.chaos.schedule import FaultEvent, Schedule, first_conflict, sort_events
from stormproof.chaos.topology import Topology
from stormproof.manifest import Manifest, ManifestError
from stormproof.manifest.chaos import DEFAULT_SCENARIO, GenerateSection, ScenarioSection
from stormproof.manifest.explain import suggestion

# What `stormproof chaos` runs when the manifest defines no scenario at all.
BUILTIN_DEFAULT = ScenarioSection(
    description="partitions, latency, 5xx answers, lost responses and crashes, at random",
    duration=30.0,
    generate=GenerateSection(
        faults={"partition": {}, "latency": {}, "http_error": {}, "drop_response": {}, "kill": {}}
    ),
)


def scenario_names(manifest: Manifest) -> list[str]:
    return list(manifest.chaos.scenarios) or [DEFAULT_SCENARIO]


def build_schedule(
    manifest: Manifest,
    topology: Topology,
    name: str | None,
    seed: int,
    duration: float | None = None,
) -> Schedule:
    """The schedule of scenario ``name`` (default: ``default``) for ``seed``.

    ``duration`` overrides the scenario's; explicit events that start after it are left
    out and those that would outlast it are cut short. Raises ManifestError for a bad
    scenario entry and ChaosError for an unknown scenario name."""
    name = name or DEFAULT_SCENARIO
    section = _scenario(manifest, name)
    window = duration if duration is not None else section.duration
    fixed = _explicit_events(manifest, topology, name, section, window)
    rng = random.Random(f"stormproof-schedule:{seed}:{name}")
    generated: list[FaultEvent] = []
    if section.generate is not None:
        keys = ("chaos", "scenarios", name, "generate", "faults")
        try:
            draws = compile_draws(section.generate.faults, topology)
        except SpecError as error:
            raise _error(manifest, (*keys, *error.keys), str(error)) from None
        pace = Pace(
            tuple(section.generate.every),  # type: ignore[arg-type]
            tuple(section.generate.length),  # type: ignore[arg-type]
            section.generate.max_active,
        )
        generated = generate_events(draws, pace, window, rng, topology, fixed)
    return Schedule(name, seed, window, sort_events([*fixed, *generated]))


def _scenario(manifest: Manifest, name: str) -> ScenarioSection:
    scenarios = manifest.chaos.scenarios
    if not scenarios and name == DEFAULT_SCENARIO:
        return BUILTIN_DEFAULT
    if name not in scenarios:
        known = ", ".join(scenario_names(manifest))
        raise ChaosError(
            f"unknown scenario '{name}'{suggestion(name, list(scenarios))}; "
            f"{manifest.path.name} defines {known}"
        )
    return scenarios[name]


def _explicit_events(
    manifest: Manifest, topology: Topology, name: str, section: ScenarioSection, window: float
) -> list[FaultEvent]:
    events: list[FaultEvent] = []
    for index, spec in enumerate(section.faults):
        keys = ("chaos", "scenarios", name, "faults", index)
        if spec.at >= section.duration:
            raise _error(
                manifest,
                (*keys, "at"),
                f"starts at {spec.at:g}s, after the scenario ends ({section.duration:g}s)",
            )
        fault = _fault(manifest, (*keys, "fault"), spec.fault)
        event = FaultEvent(spec.at, spec.duration, spec.target, fault)
        try:
            conflict = first_conflict(event, events, topology)
        except ValueError as error:
            raise _error(manifest, (*keys, "target"), str(error)) from None
        if conflict is not None:
            raise _error(
                manifest,
                keys,
                f"{event.label} overlaps {conflict.label} (at {conflict.at:g}s); a target holds "
                "one fault of a kind at a time, and a service one process fault",
            )
        events.append(event)
    return [_clip(event, window) for event in events if event.at < window]


def _clip(event: FaultEvent, window: float) -> FaultEvent:
    if event.end <= window:
        return event
    return FaultEvent(event.at, round(window - event.at, 3), event.target, event.fault)


def _fault(manifest: Manifest, keys: tuple[str | int, ...], spec: str | dict[str, object]) -> Fault:
    data = {"kind": spec} if isinstance(spec, str) else spec
    try:
        return fault_from_dict(data)
    except ValueError as error:
        message = str(error)
        if isinstance(spec, str) and spec not in FAULT_TYPES:
            message = f"unknown fault kind '{spec}'{suggestion(spec, list(FAULT_TYPES))}"
        raise _error(manifest, keys, message) from None


def _error(manifest: Manifest, keys: tuple[str | int, ...], message: str) -> ManifestError:
    positions = manifest.source_map
    position = positions.values.get(keys) or positions.entries.get(keys)
    return ManifestError(manifest.path, message, position)
