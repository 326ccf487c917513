"""The ledger system (api → store, stdlib only) and a helper that prepares one variant of it
for a test: a copy with ``BUG`` set on both services and the test's scenario.

``EXPOSED_BY`` says, for each planted bug, which faults (scenario fault events without
``at``/``duration``) make it break an invariant; a fault-free run breaks none."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.chaos.systems import system_variant

LEDGER_DIR = Path(__file__).resolve().parent
EDGE = "api->store"

EXPOSED_BY: dict[str, tuple[dict[str, Any], ...]] = {
    # An acknowledged deposit that never reached the store.
    "swallow-errors": (
        {"target": EDGE, "fault": "partition"},
        {"target": EDGE, "fault": {"kind": "partition", "mode": "refuse"}},
        {"target": EDGE, "fault": "reset"},
        {"target": EDGE, "fault": "drop"},
        {"target": EDGE, "fault": "http_error"},
    ),
    # A credit that arrived but whose answer did not, applied again under a new id. The delay
    # must exceed the api's store timeout (0.8 s).
    "retry-new-id": (
        {"target": EDGE, "fault": {"kind": "latency", "delay_ms": 1500}},
        {"target": EDGE, "fault": "drop_response"},
        {"target": "store", "fault": "pause"},
    ),
    "no-dedup": ({"target": EDGE, "fault": "duplicate"},),
    "in-memory": ({"target": "store", "fault": "kill"},),
    "wall-clock-expiry": ({"target": "store", "fault": {"kind": "skew", "offset_s": 60}},),
}
BUGS: tuple[str, ...] = tuple(EXPOSED_BY)


def ledger_variant(dest: Path, bug: str = "", scenario: Mapping[str, Any] | None = None) -> Path:
    """Copy the ledger to ``dest/ledger`` with ``BUG`` set to ``bug`` ("" is the correct
    system) and, if given, ``scenario`` as its only scenario (``default``); returns the
    copy's manifest path."""
    return system_variant(LEDGER_DIR, dest, bug, BUGS, scenario)
