"""Fault schedules: the JSON round trip, errors reading one back, and conflicts."""

import json
import math

import pytest

from stormproof.chaos.faults import HttpError, Kill, Latency, Partition, Pause, Skew
from stormproof.chaos.schedule import (
    SCHEDULE_VERSION,
    FaultEvent,
    Schedule,
    check_schedule,
    read_schedule,
    sort_events,
)
from stormproof.chaos.topology import Topology

# client -> api -> store, api -> cache, worker -> store
TOPOLOGY = Topology(
    services=("api", "store", "cache", "worker"),
    edges=(("client", "api"), ("api", "store"), ("api", "cache"), ("worker", "store")),
    entry="api",
)

SCHEDULE = Schedule(
    scenario="storm",
    seed=42,
    duration=20.0,
    events=(
        FaultEvent(1.5, 3.0, "api->store", Latency(delay_ms=800.0, jitter_ms=12.5)),
        FaultEvent(2.0, 4.0, "store", Kill()),
        FaultEvent(3.0, 2.0, "client->api", HttpError(probability=0.5, status=500)),
        FaultEvent(6.0, 1.0, "cache", Skew(offset_s=-90.0)),
        FaultEvent(7.0, 5.5, "cache", Partition(direction="upstream")),
    ),
)


def test_schedule_survives_write_and_read_of_the_file_and_its_directory(tmp_path):
    path = tmp_path / "schedule.json"
    SCHEDULE.write(path)
    data = json.loads(path.read_text())
    assert data["version"] == SCHEDULE_VERSION
    assert data == SCHEDULE.to_dict()
    assert read_schedule(path) == SCHEDULE
    assert read_schedule(tmp_path) == SCHEDULE


def test_event_json_shape():
    event = FaultEvent(1.5, 3.0, "api->store", Latency(delay_ms=800.0))
    assert event.to_dict() == {
        "at": 1.5,
        "duration": 3.0,
        "target": "api->store",
        "fault": {"kind": "latency", "delay_ms": 800.0, "jitter_ms": 0.0, "direction": "both"},
    }
    assert FaultEvent.from_dict(json.loads(json.dumps(event.to_dict()))) == event
    assert event.end == 4.5


def test_labels_name_kind_parameters_and_target():
    latency = FaultEvent(0, 1, "api->store", Latency(delay_ms=800.0, jitter_ms=12.5))
    assert latency.label == ("latency(delay_ms=800, jitter_ms=12.5, direction=both) on api->store")
    assert FaultEvent(0, 1, "store", Kill()).label == "kill() on store"
    assert FaultEvent(0, 1, "api", HttpError()).label == (
        "http_error(probability=1, status=503) on api"
    )


def test_clock_control_is_needed_only_for_skew():
    assert SCHEDULE.needs_clock_control
    calm = Schedule("calm", 1, 5.0, (FaultEvent(0, 1, "store", Kill()),))
    assert not calm.needs_clock_control


def test_sort_events_orders_by_time_then_target_then_kind():
    events = [
        FaultEvent(2.0, 1, "store", Kill()),
        FaultEvent(1.0, 1, "store", Pause()),
        FaultEvent(1.0, 1, "api->store", Latency(delay_ms=1)),
        FaultEvent(1.0, 1, "api->store", HttpError()),
    ]
    assert [(e.at, e.target, e.fault.kind) for e in sort_events(events)] == [
        (1.0, "api->store", "http_error"),
        (1.0, "api->store", "latency"),
        (1.0, "store", "pause"),
        (2.0, "store", "kill"),
    ]


def _write(tmp_path, content: str | bytes):
    path = tmp_path / "schedule.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def _events_data(event: object) -> dict:
    return {**SCHEDULE.to_dict(), "events": [event]}


def _with_event(tmp_path, event: object):
    return _write(tmp_path, json.dumps(_events_data(event)))


GOOD_EVENT = {"at": 1, "duration": 2, "target": "store", "fault": {"kind": "kill"}}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.json", "no such file"),
        (lambda p: p, "no such file"),  # a directory without schedule.json
        (lambda p: _write(p, "{not json"), "not a readable schedule"),
        (lambda p: _write(p, b"\xff\xfe garbage"), "not a readable schedule"),
        (lambda p: _write(p, "[1, 2]"), "not a version 1 stormproof schedule"),
        (
            lambda p: _write(p, json.dumps({**SCHEDULE.to_dict(), "version": 2})),
            "not a version 1 stormproof schedule",
        ),
        (
            lambda p: _with_event(p, {**GOOD_EVENT, "fault": {"kind": "meteor"}}),
            "unknown fault kind 'meteor'",
        ),
        (lambda p: _with_event(p, {**GOOD_EVENT, "at": -1}), "bad times at=-1"),
        (lambda p: _with_event(p, {**GOOD_EVENT, "duration": 0}), "bad times"),
        (lambda p: _with_event(p, {**GOOD_EVENT, "at": "soon"}), "bad times"),
        (lambda p: _with_event(p, {**GOOD_EVENT, "at": True}), "bad times"),
        # JSON readers take NaN and Infinity; neither is a time.
        (
            lambda p: _write(p, json.dumps(_events_data({**GOOD_EVENT, "at": math.nan}))),
            "bad times",
        ),
        (
            lambda p: _write(p, json.dumps(_events_data({**GOOD_EVENT, "duration": math.inf}))),
            "bad times",
        ),
        (
            lambda p: _with_event(p, {k: v for k, v in GOOD_EVENT.items() if k != "target"}),
            "an event needs target",
        ),
        (lambda p: _with_event(p, [1, 2]), "an event is a mapping, not list"),
        (
            lambda p: _with_event(p, {**GOOD_EVENT, "fault": {"kind": "drop", "odds": 1}}),
            "drop: unknown field(s) odds",
        ),
        (
            lambda p: _with_event(p, {**GOOD_EVENT, "fault": {"kind": "drop", "probability": 2}}),
            "probability must be in [0, 1]",
        ),
        (
            lambda p: _write(p, json.dumps({**SCHEDULE.to_dict(), "seed": "lucky"})),
            "invalid literal for int()",
        ),
    ],
)
def test_bad_schedule_is_a_one_line_error_naming_the_file(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(ValueError) as caught:
        read_schedule(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(str(path))
    assert message in text


def test_a_missing_events_key_is_an_error_naming_the_file(tmp_path):
    data = SCHEDULE.to_dict()
    del data["events"]
    path = _write(tmp_path, json.dumps(data))
    with pytest.raises(ValueError) as caught:
        read_schedule(path)
    assert str(caught.value) == f"{path}: 'events'"


def _schedule(*events: FaultEvent) -> Schedule:
    return Schedule("s", 0, 30.0, events)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # The same kind on the same edge, overlapping.
        (FaultEvent(1, 4, "api->store", Partition()), FaultEvent(3, 4, "api->store", Partition())),
        # A network fault on a service holds every edge into it.
        (
            FaultEvent(1, 4, "store", Latency(delay_ms=5)),
            FaultEvent(2, 1, "worker->store", Latency(delay_ms=9)),
        ),
        (FaultEvent(1, 4, "api->store", HttpError()), FaultEvent(4.9, 1, "store", HttpError())),
        # The entry's client edge is an edge into the entry.
        (FaultEvent(0, 2, "client->api", Partition()), FaultEvent(1, 2, "api", Partition())),
        # A service holds one process fault at a time, whatever the kinds.
        (FaultEvent(1, 4, "store", Kill()), FaultEvent(2, 4, "store", Pause())),
        (FaultEvent(1, 4, "cache", Skew()), FaultEvent(1, 1, "cache", Kill())),
    ],
)
def test_overlapping_events_on_one_resource_conflict(first, second):
    with pytest.raises(ValueError) as caught:
        check_schedule(_schedule(first, second), TOPOLOGY)
    assert str(caught.value) == (
        f"event 2 ({second.label}) overlaps {first.label} at {first.at:g}s on the same target"
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # One after the other: the first ends when the second starts.
        (FaultEvent(1, 2, "api->store", Partition()), FaultEvent(3, 2, "api->store", Partition())),
        (FaultEvent(1, 2, "store", Kill()), FaultEvent(3, 2, "store", Pause())),
        # Different kinds on one edge, or one kind on different edges.
        (FaultEvent(1, 4, "api->store", Partition()), FaultEvent(1, 4, "api->store", HttpError())),
        (
            FaultEvent(1, 4, "store", Latency(delay_ms=1)),
            FaultEvent(1, 4, "cache", Latency(delay_ms=1)),
        ),
        (FaultEvent(1, 4, "api->cache", Partition()), FaultEvent(1, 4, "store", Partition())),
        # A process fault and a network fault on the same service.
        (FaultEvent(1, 4, "store", Kill()), FaultEvent(1, 4, "store", Partition())),
        # Process faults on different services.
        (FaultEvent(1, 4, "store", Kill()), FaultEvent(1, 4, "cache", Kill())),
    ],
)
def test_events_that_share_no_resource_at_one_time_are_fine(first, second):
    check_schedule(_schedule(first, second), TOPOLOGY)
    check_schedule(_schedule(second, first), TOPOLOGY)


def test_the_example_schedule_is_conflict_free():
    check_schedule(SCHEDULE, TOPOLOGY)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (FaultEvent(1, 1, "db", Partition()), "no service 'db'"),
        (FaultEvent(1, 1, "store->api", Partition()), "no edge store->api in the system"),
        (FaultEvent(1, 1, "api->store", Kill()), "a process fault targets a service"),
    ],
)
def test_event_with_a_bad_target_is_named(event, message):
    good = FaultEvent(0, 1, "store", Kill())
    with pytest.raises(ValueError) as caught:
        check_schedule(_schedule(good, event), TOPOLOGY)
    assert str(caught.value).startswith(f"event 2 ({event.label}): {message}")
