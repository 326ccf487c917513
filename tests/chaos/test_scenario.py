"""From a manifest's scenario and a seed to a schedule, and each mistake at its line."""

import textwrap

import pytest

from stormproof.chaos.errors import ChaosError
from stormproof.chaos.faults import Kill, Latency, Partition
from stormproof.chaos.scenario import BUILTIN_DEFAULT, build_schedule, scenario_names
from stormproof.chaos.schedule import FaultEvent, check_schedule
from stormproof.chaos.topology import Topology
from stormproof.manifest import Manifest, ManifestError, parse_manifest

SERVICES = """\
version: 1
name: shop
services:
  api:
    role: edge
    calls: [store]
  store:
    calls: [cache]
  cache: {}
"""


def manifest(chaos: str = "") -> tuple[Manifest, Topology, str]:
    """The manifest with ``chaos`` (YAML, indented as written) as its chaos section."""
    text = SERVICES + textwrap.dedent(chaos)
    parsed = parse_manifest(text)
    return parsed, Topology.from_manifest(parsed, entry="api"), text


def line_of(text: str, needle: str) -> int:
    return position_of(text, needle)[0]


def position_of(text: str, needle: str) -> tuple[int, int]:
    """The 1-based line and column where ``needle`` first occurs."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} is not in the manifest")


def build(chaos: str, name: str | None = None, seed: int = 1, duration: float | None = None):
    parsed, topology, _ = manifest(chaos)
    return build_schedule(parsed, topology, name, seed, duration)


def test_the_builtin_default_runs_when_no_scenario_is_defined():
    parsed, topology, _ = manifest()
    schedule = build_schedule(parsed, topology, None, seed=3)
    assert schedule.scenario == "default"
    assert schedule.seed == 3
    assert schedule.duration == BUILTIN_DEFAULT.duration
    assert schedule.events
    kinds = {event.fault.kind for event in schedule.events}
    assert kinds <= {"partition", "latency", "http_error", "drop_response", "kill"}
    check_schedule(schedule, topology)
    assert build_schedule(parsed, topology, "default", seed=3) == schedule
    assert scenario_names(parsed) == ["default"]


def test_without_scenarios_only_the_default_exists():
    parsed, topology, _ = manifest()
    with pytest.raises(ChaosError) as caught:
        build_schedule(parsed, topology, "calm", seed=1)
    assert str(caught.value) == "unknown scenario 'calm'; stormproof.yaml defines default"


SCENARIOS = """
chaos:
  scenarios:
    default:
      duration: 10
    storm:
      duration: 20
      generate: {faults: {partition: {}}}
    calm:
"""


def test_unknown_scenario_lists_the_defined_ones_with_a_suggestion():
    parsed, topology, _ = manifest(SCENARIOS)
    assert scenario_names(parsed) == ["default", "storm", "calm"]
    with pytest.raises(ChaosError) as caught:
        build_schedule(parsed, topology, "strom", seed=1)
    assert str(caught.value) == (
        "unknown scenario 'strom' (did you mean 'storm'?); stormproof.yaml defines "
        "default, storm, calm"
    )


def test_a_defined_scenario_with_nothing_in_it_has_no_faults():
    schedule = build(SCENARIOS, "calm")
    assert (schedule.scenario, schedule.duration, schedule.events) == ("calm", 30.0, ())
    assert build(SCENARIOS).duration == 10


EXPLICIT = """
chaos:
  scenarios:
    default:
      duration: 20
      faults:
        - {at: 5, duration: 3, target: store, fault: kill}
        - {at: 2, duration: 6, target: api->store, fault: {kind: latency, delay_ms: 800}}
        - {at: 2, duration: 1, target: client->api, fault: {kind: partition, mode: refuse}}
        - {at: 15, duration: 10, target: cache, fault: partition}
"""


def test_explicit_events_in_both_forms_are_scheduled_in_order():
    schedule = build(EXPLICIT, seed=9)
    assert schedule.events == (
        FaultEvent(2.0, 6.0, "api->store", Latency(delay_ms=800)),
        FaultEvent(2.0, 1.0, "client->api", Partition(mode="refuse")),
        FaultEvent(5.0, 3.0, "store", Kill()),
        # It would outlast the scenario, so it ends with it.
        FaultEvent(15.0, 5.0, "cache", Partition()),
    )
    assert (schedule.scenario, schedule.seed, schedule.duration) == ("default", 9, 20.0)


def test_a_shorter_duration_drops_later_events_and_cuts_long_ones():
    schedule = build(EXPLICIT, duration=6)
    assert schedule.duration == 6
    assert schedule.events == (
        FaultEvent(2.0, 4.0, "api->store", Latency(delay_ms=800)),
        FaultEvent(2.0, 1.0, "client->api", Partition(mode="refuse")),
        FaultEvent(5.0, 1.0, "store", Kill()),
    )


def test_a_longer_duration_keeps_every_event():
    schedule = build(EXPLICIT, duration=40)
    assert schedule.duration == 40
    assert FaultEvent(15.0, 10.0, "cache", Partition()) in schedule.events


def _event(line: str) -> str:
    return f"""
chaos:
  scenarios:
    default:
      duration: 20
      faults:
        - {{at: 1, duration: 2, target: store, fault: pause}}
        - {line}
"""


@pytest.mark.parametrize(
    ("line", "needle", "message"),
    [
        (
            "{at: 5, duration: 3, target: store, fault: kil}",
            "kil}",
            "unknown fault kind 'kil' (did you mean 'kill'?)",
        ),
        (
            "{at: 5, duration: 3, target: store, fault: {kind: meteor}}",
            "{kind: meteor}",
            "unknown fault kind 'meteor'; expected one of partition",
        ),
        (
            "{at: 5, duration: 3, target: store, fault: {kind: drop, odds: 1}}",
            "{kind: drop, odds",
            "drop: unknown field(s) odds; expected probability",
        ),
        (
            "{at: 5, duration: 3, target: store, fault: {kind: drop, probability: 2}}",
            "{kind: drop, probability",
            "drop: probability must be in [0, 1], got 2",
        ),
        (
            "{at: 5, duration: 3, target: store, fault: latency}",
            "latency}",
            "latency: ",
        ),
        (
            "{at: 5, duration: 3, target: db, fault: kill}",
            "db,",
            "no service 'db'; services are api, store, cache",
        ),
        (
            "{at: 5, duration: 3, target: cache->api, fault: partition}",
            "cache->api,",
            "no edge cache->api in the system; its edges are client->api, api->store, ",
        ),
        (
            "{at: 5, duration: 3, target: api->store, fault: kill}",
            "api->store,",
            "a process fault targets a service, not the edge api->store",
        ),
        (
            "{at: 2, duration: 3, target: store, fault: kill}",
            "{at: 2,",
            "kill() on store overlaps pause() on store (at 1s); a target holds one fault",
        ),
        (
            "{at: 20, duration: 3, target: store, fault: kill}",
            "20,",
            "starts at 20s, after the scenario ends (20s)",
        ),
    ],
)
def test_a_bad_explicit_event_is_a_manifest_error_at_its_line(line, needle, message):
    chaos = _event(line)
    parsed, topology, text = manifest(chaos)
    with pytest.raises(ManifestError) as caught:
        build_schedule(parsed, topology, None, seed=1)
    error = caught.value
    assert message in error.message
    assert "\n" not in str(error)
    assert error.position == position_of(text, needle)


def test_a_network_fault_on_a_service_overlaps_one_on_an_edge_into_it():
    parsed, topology, text = manifest(
        """
        chaos:
          scenarios:
            default:
              faults:
                - {at: 1, duration: 5, target: api->store, fault: partition}
                - {at: 1, duration: 5, target: api->store, fault: {kind: latency, delay_ms: 5}}
                - {at: 3, duration: 5, target: store, fault: partition}
        """
    )
    with pytest.raises(ManifestError) as caught:
        build_schedule(parsed, topology, None, seed=1)
    assert caught.value.line == line_of(text, "target: store")
    assert "partition(direction=both, mode=blackhole) on store overlaps" in caught.value.message


@pytest.mark.parametrize(
    ("faults", "needle", "message"),
    [
        ("latency: {delay_ms: [3, 1]}", "delay_ms", "delay_ms takes a number or [low, high]"),
        ("meteor: {}", "meteor", "unknown fault kind 'meteor'"),
        ("kill: {targets: [api->store]}", "targets", "not the edge api->store"),
        ("drop: {weight: 0}", "weight", "weight must be a number > 0"),
    ],
)
def test_a_bad_generate_entry_is_a_manifest_error_at_its_line(faults, needle, message):
    parsed, topology, text = manifest(
        f"""
        chaos:
          scenarios:
            default:
              generate:
                faults:
                  partition: {{}}
                  {faults}
        """
    )
    with pytest.raises(ManifestError) as caught:
        build_schedule(parsed, topology, None, seed=1)
    assert message in caught.value.message
    assert caught.value.line == line_of(text, needle)


@pytest.mark.parametrize(
    ("scenario", "needle"),
    [
        ("duration: 0", "duration"),
        ("generate: {every: [3, 1], faults: {kill: {}}}", "every"),
        ("generate: {faults: {}}", "faults"),
        ("faults: [{at: 1, duration: 2, target: store, fualt: kill}]", "fualt"),
        ("faults: [{at: -1, duration: 2, target: store, fault: kill}]", "at: -1"),
    ],
)
def test_a_bad_scenario_shape_is_a_load_error_at_its_line(scenario, needle):
    text = SERVICES + f"chaos:\n  scenarios:\n    default:\n      {scenario}\n"
    with pytest.raises(ManifestError) as caught:
        parse_manifest(text)
    assert caught.value.line == line_of(text, needle)


MIXED = """
chaos:
  scenarios:
    default:
      duration: 30
      faults:
        - {at: 0, duration: 30, target: api->store, fault: {kind: latency, delay_ms: 50}}
        - {at: 4, duration: 6, target: store, fault: kill}
        - {at: 12, duration: 8, target: cache, fault: partition}
      generate:
        every: [0.5, 2]
        length: [1, 5]
        max_active: 3
        faults:
          latency: {}
          partition: {targets: [store, cache, client->api]}
          kill: {}
          pause: {}
"""


@pytest.mark.parametrize("seed", range(10))
def test_explicit_and_generated_events_never_conflict(seed):
    parsed, topology, _ = manifest(MIXED)
    schedule = build_schedule(parsed, topology, None, seed)
    check_schedule(schedule, topology)
    assert len(schedule.events) > 3
    assert FaultEvent(4.0, 6.0, "store", Kill()) in schedule.events
    active = [sum(1 for o in schedule.events if o.at <= e.at < o.end) for e in schedule.events]
    assert max(active) <= 3


def test_the_seed_and_the_scenario_name_pick_the_draws():
    chaos = """
    chaos:
      scenarios:
        a: {generate: {faults: {latency: {}}}}
        b: {generate: {faults: {latency: {}}}}
    """
    assert build(chaos, "a", seed=1) == build(chaos, "a", seed=1)
    assert build(chaos, "a", seed=1).events != build(chaos, "a", seed=2).events
    assert build(chaos, "a", seed=1).events != build(chaos, "b", seed=1).events
