"""Fault specs: validation with one-line reasons, and the JSON round trip."""

import json
import re

import pytest

from stormproof.chaos import (
    Drop,
    DropResponse,
    Duplicate,
    HttpError,
    Latency,
    Partition,
    Reset,
    fault_from_dict,
    fault_to_dict,
)

ALL_FAULTS = [
    Partition(direction="upstream", mode="blackhole"),
    Partition(mode="refuse"),
    Latency(delay_ms=20, jitter_ms=5, direction="downstream"),
    Drop(probability=0.25),
    Reset(after_bytes=128),
    HttpError(probability=0.5, status=500),
    DropResponse(probability=0.1),
    Duplicate(probability=0.3),
]


@pytest.mark.parametrize("fault", ALL_FAULTS, ids=lambda f: f.kind)
def test_fault_survives_a_json_round_trip(fault):
    text = json.dumps(fault_to_dict(fault))
    assert json.loads(text)["kind"] == fault.kind
    assert fault_from_dict(json.loads(text)) == fault


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Drop(probability=1.5), "drop: probability must be in [0, 1], got 1.5"),
        (lambda: Latency(delay_ms=-1), "latency: delay_ms must be >= 0"),
        (lambda: Latency(delay_ms=1, jitter_ms=-2), "latency: jitter_ms must be >= 0"),
        (lambda: Latency(delay_ms=1, direction="sideways"), "latency: direction must be one of"),
        (lambda: Partition(mode="melt"), "partition: mode must be refuse or blackhole"),
        (
            lambda: Partition(direction="upstream", mode="refuse"),
            "partition: a refusing partition cuts both directions",
        ),
        (lambda: Reset(after_bytes=-1), "reset: after_bytes must be >= 0"),
        (lambda: HttpError(status=404), "http_error: status must be 5xx, got 404"),
    ],
)
def test_bad_fault_spec_is_refused_with_a_reason(build, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        build()


def test_unknown_kind_and_unknown_field_are_named():
    with pytest.raises(ValueError, match="unknown fault kind 'flood'; expected one of partition"):
        fault_from_dict({"kind": "flood"})
    with pytest.raises(ValueError, match=r"latency: unknown field\(s\) delay; expected delay_ms"):
        fault_from_dict({"kind": "latency", "delay": 3})
    with pytest.raises(ValueError, match=r"latency: .*delay_ms"):
        fault_from_dict({"kind": "latency"})
