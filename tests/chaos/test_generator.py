"""Seeded random fault events: determinism, bounds, conflicts, and bad `generate` specs."""

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stormproof.chaos.faults import HttpError, Kill, Latency, Partition
from stormproof.chaos.generator import Pace, SpecError, compile_draws, generate_events
from stormproof.chaos.schedule import FaultEvent, Schedule, check_schedule, sort_events
from stormproof.chaos.topology import Topology

# client -> api -> store, api -> cache, store -> cache
TOPOLOGY = Topology(
    services=("api", "store", "cache"),
    edges=(("client", "api"), ("api", "store"), ("api", "cache"), ("store", "cache")),
    entry="api",
)
SERVICE_EDGES = {"api->store", "api->cache", "store->cache"}
MIXED = {
    "partition": {"weight": 2, "mode": ["blackhole", "refuse"]},
    "latency": {"delay_ms": [100, 1500], "jitter_ms": 5},
    "http_error": {"probability": [0.5, 1.0], "status": [500, 503]},
    "drop_response": {},
    "kill": {"targets": ["store", "cache"]},
    "pause": {},
}
PACE = Pace(every=(1.0, 3.0), length=(1.0, 4.0), max_active=2)


def generate(
    faults=MIXED, seed: int = 0, duration: float = 30.0, pace: Pace = PACE, fixed=()
) -> list[FaultEvent]:
    draws = compile_draws(faults, TOPOLOGY)
    return generate_events(draws, pace, duration, random.Random(seed), TOPOLOGY, fixed)


def as_schedule(events: list[FaultEvent], duration: float = 30.0) -> Schedule:
    return Schedule("test", 0, duration, sort_events(events))


def most_active(events: list[FaultEvent]) -> int:
    """The most events active at once; that number is reached where some event starts."""
    return max((sum(1 for o in events if o.at <= e.at < o.end) for e in events), default=0)


def test_same_seed_gives_the_same_schedule():
    first = as_schedule(generate(seed=7)).to_dict()
    assert first["events"]
    assert as_schedule(generate(seed=7)).to_dict() == first


def test_different_seeds_give_different_schedules():
    schedules = {str(as_schedule(generate(seed=seed)).to_dict()) for seed in range(5)}
    assert len(schedules) == 5


@pytest.mark.parametrize("seed", range(20))
def test_events_are_inside_the_window_conflict_free_and_at_most_max_active(seed):
    events = generate(seed=seed, duration=25.0)
    assert events
    for event in events:
        assert 0 <= event.at < 25.0
        assert 0 < event.duration <= PACE.length[1]
        assert event.end <= 25.0 + 1e-9
        # Only the window's end cuts a fault shorter than the range asks.
        assert event.duration >= PACE.length[0] or event.end == pytest.approx(25.0)
    assert most_active(events) <= PACE.max_active
    check_schedule(as_schedule(events, 25.0), TOPOLOGY)


def test_starts_are_at_least_the_shortest_gap_apart():
    events = generate(seed=3, pace=Pace(every=(2.0, 3.0), length=(0.5, 1.0), max_active=3))
    starts = [event.at for event in events]
    assert starts == sorted(starts)
    assert starts[0] >= 2.0
    assert all(b - a >= 2.0 - 1e-9 for a, b in itertools.pairwise(starts))


def test_max_active_one_never_overlaps_anything():
    events = generate(seed=11, pace=Pace(every=(0.5, 1.0), length=(2.0, 5.0), max_active=1))
    ordered = sorted(events, key=lambda e: e.at)
    assert all(a.end <= b.at for a, b in itertools.pairwise(ordered))


def test_draws_stay_within_ranges_and_choices():
    events = [event for seed in range(30) for event in generate(seed=seed)]
    by_kind: dict[str, list] = {}
    for event in events:
        by_kind.setdefault(event.fault.kind, []).append(event)
    assert set(by_kind) == set(MIXED)
    for event in by_kind["latency"]:
        assert 100 <= event.fault.delay_ms <= 1500
        assert event.fault.jitter_ms == 5
    for event in by_kind["http_error"]:
        assert 0.5 <= event.fault.probability <= 1.0
    assert {e.fault.status for e in by_kind["http_error"]} == {500, 503}
    assert {e.fault.mode for e in by_kind["partition"]} == {"blackhole", "refuse"}
    assert {e.target for e in by_kind["kill"]} == {"store", "cache"}
    # Kinds with nothing given draw from their defaults, and aim at the default targets.
    assert {e.target for e in by_kind["pause"]} == set(TOPOLOGY.services)
    assert {e.target for e in by_kind["drop_response"]} == SERVICE_EDGES
    assert all(0.5 <= e.fault.probability <= 1.0 for e in by_kind["drop_response"])


def test_default_targets_are_service_edges_for_network_faults_and_services_for_process():
    draws = {draw.kind: draw for draw in compile_draws({"latency": {}, "kill": {}}, TOPOLOGY)}
    assert set(draws["latency"].targets) == SERVICE_EDGES  # the client edge only when named
    assert draws["kill"].targets == ("api", "store", "cache")


def test_named_targets_may_be_services_and_the_client_edge():
    (draw,) = compile_draws({"partition": {"targets": ["client->api", "cache"]}}, TOPOLOGY)
    assert draw.targets == ("client->api", "cache")


def test_weights_bias_the_kinds_drawn():
    def share(faults: dict, kind: str) -> float:
        counts = Counter(e.fault.kind for seed in range(20) for e in generate(faults, seed))
        return counts[kind] / sum(counts.values())

    assert share({"latency": {"weight": 50}, "kill": {}}, "latency") > 0.8
    assert share({"latency": {}, "kill": {"weight": 50}}, "kill") > 0.6


def test_generated_events_respect_the_fixed_ones():
    fixed = [
        FaultEvent(2.0, 10.0, "api->store", Latency(delay_ms=300)),
        FaultEvent(5.0, 3.0, "store", Kill()),
        FaultEvent(15.0, 4.0, "cache", HttpError()),
    ]
    faults = {"latency": {}, "kill": {}, "http_error": {}}
    for seed in range(20):
        events = generate(faults, seed, pace=Pace((0.5, 2.0), (1.0, 6.0), 2), fixed=fixed)
        everything = [*fixed, *events]
        check_schedule(as_schedule(everything), TOPOLOGY)
        assert most_active(everything) <= 2


def test_a_full_house_of_fixed_events_leaves_no_room():
    fixed = [FaultEvent(0.0, 30.0, "store", Kill()), FaultEvent(0.0, 30.0, "cache", Kill())]
    assert generate(seed=1, fixed=fixed) == []


@pytest.mark.parametrize("seed", range(3))
def test_zero_length_paces_end_and_make_events_a_schedule_can_hold(seed):
    # `every: [0, 0]` must not stand still, and no event may last 0 s (unreadable later).
    faults = {"kill": {"targets": ["store"]}, "latency": {"targets": ["api->store"]}}
    events = generate(faults, seed, duration=1.0, pace=Pace((0.0, 0.0), (0.0, 0.0), 2))
    assert events
    for event in events:
        assert event.duration > 0
        assert FaultEvent.from_dict(event.to_dict()) == event


def test_fixed_parameters_are_kept_as_given():
    (draw,) = compile_draws({"partition": {"mode": "refuse"}}, TOPOLOGY)
    assert draw.fault(random.Random(0)) == Partition(mode="refuse")


@pytest.mark.parametrize(
    ("faults", "keys", "message"),
    [
        ({"meteor": {}}, ("meteor",), "unknown fault kind 'meteor'; kinds are partition, "),
        ({"latency": {"delay": 5}}, ("latency", "delay"), "latency has no parameter 'delay'"),
        ({"kill": {"signal": 9}}, ("kill", "signal"), "kill has no parameter 'signal'; it takes"),
        ({"latency": {"delay_ms": [3, 1]}}, ("latency", "delay_ms"), "delay_ms takes a number"),
        ({"latency": {"delay_ms": [1]}}, ("latency", "delay_ms"), "[low, high], got [1]"),
        ({"latency": {"delay_ms": [1, 2, 3]}}, ("latency", "delay_ms"), "[low, high]"),
        ({"drop": {"probability": ["a", "b"]}}, ("drop", "probability"), "[low, high]"),
        ({"drop": {"probability": [True, 1]}}, ("drop", "probability"), "[low, high]"),
        ({"latency": {"delay_ms": "fast"}}, ("latency", "delay_ms"), "not supported between"),
        ({"drop": {"probability": 2}}, ("drop", "probability"), "probability must be in [0, 1]"),
        ({"drop": {"probability": [0.5, 2]}}, ("drop", "probability"), "got 2"),
        ({"http_error": {"status": 404}}, ("http_error", "status"), "status must be 5xx"),
        ({"http_error": {"status": [500, 404]}}, ("http_error", "status"), "got 404"),
        ({"partition": {"mode": []}}, ("partition", "mode"), "an empty list has nothing"),
        ({"partition": {"mode": ["refuse", "melt"]}}, ("partition", "mode"), "got 'melt'"),
        # Each value is fine alone; one pair of them is not a fault.
        (
            {"partition": {"mode": ["blackhole", "refuse"], "direction": ["both", "upstream"]}},
            ("partition", "direction"),
            "a refusing partition cuts both directions",
        ),
        ({"skew": {"offset_s": "1h"}}, ("skew", "offset_s"), "offset_s"),
        ({"latency": {"weight": 0}}, ("latency", "weight"), "weight must be a number > 0"),
        ({"latency": {"weight": -2}}, ("latency", "weight"), "got -2"),
        ({"latency": {"weight": "heavy"}}, ("latency", "weight"), "got 'heavy'"),
        ({"latency": {"weight": True}}, ("latency", "weight"), "got True"),
        ({"latency": {"targets": ["db"]}}, ("latency", "targets"), "no service 'db'"),
        ({"latency": {"targets": ["cache->api"]}}, ("latency", "targets"), "no edge cache->api"),
        ({"kill": {"targets": ["api->store"]}}, ("kill", "targets"), "not the edge api->store"),
        ({"kill": {"targets": "store"}}, ("kill", "targets"), "targets is a list"),
        ({"kill": {"targets": []}}, ("kill", "targets"), "targets is a list"),
    ],
)
def test_bad_spec_is_a_one_line_error_naming_its_key(faults, keys, message):
    with pytest.raises(SpecError) as caught:
        compile_draws(faults, TOPOLOGY)
    assert caught.value.keys == keys
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_parameter_error_lists_what_the_kind_takes():
    with pytest.raises(SpecError) as caught:
        compile_draws({"http_error": {"code": 500}}, TOPOLOGY)
    assert str(caught.value) == (
        "http_error has no parameter 'code'; it takes weight, targets, probability, status"
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    duration=st.integers(1000, 60_000).map(lambda ms: ms / 1000),  # times are in ms
    # A pace near 0 takes a thousand steps a second: test_zero_length_paces_* covers it.
    every=st.tuples(st.floats(0.1, 4.0), st.floats(0.1, 4.0)).map(sorted),
    length=st.tuples(st.floats(0.0, 8.0), st.floats(0.0, 8.0)).map(sorted),
    max_active=st.integers(1, 4),
)
def test_any_generated_schedule_is_conflict_free_and_within_max_active(
    seed, duration, every, length, max_active
):
    pace = Pace(tuple(every), tuple(length), max_active)
    events = generate(seed=seed, duration=duration, pace=pace)
    assert all(0 <= e.at < duration and e.end <= duration + 1e-9 for e in events)
    assert most_active(events) <= max_active
    check_schedule(as_schedule(events, duration), TOPOLOGY)
