"""The register system (api → store, stdlib only) and a helper that prepares one variant of
it for a test: a copy, with the ledger's ``jsonhttp.py`` beside it (both systems run on it),
``BUG`` set on both services and the test's scenario.

``EXPOSED_BY`` says, for each planted bug, which faults (scenario fault events without
``at``/``duration``) make the history not linearizable; a fault-free run is linearizable."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.chaos.systems import system_variant
from tests.chaos.systems.ledger import LEDGER_DIR

REGISTER_DIR = Path(__file__).resolve().parent
EDGE = "api->store"
# Store answers that take 100 to 900 ms: some beat the api's 0.5 s timeout and some do not,
# so writes are acknowledged while other calls go unanswered.
SLOW_ANSWERS = {"kind": "latency", "delay_ms": 500, "jitter_ms": 400, "direction": "downstream"}
# Half the store's answers lost: a retry is answered as often as not.
HALF_LOST = {"kind": "drop_response", "probability": 0.5}

EXPOSED_BY: dict[str, tuple[dict[str, Any], ...]] = {
    # A cas that applied, its answer lost, retried: the retry's compare fails and the client
    # is told 409. Needs the first answer lost and the retry's answered.
    "retry-cas": (
        {"target": EDGE, "fault": HALF_LOST},
        {"target": EDGE, "fault": SLOW_ANSWERS},
    ),
    # Every register reads null again once the store restarts.
    "in-memory": ({"target": "store", "fault": "kill"},),
    # A read whose answer was lost is served from the api's memory at once, while the writes
    # whose answers got through are acknowledged. (A slow store does not expose it: a read
    # that waits out the timeout is served a value some other read saw while it waited, a
    # value the register held during the read.)
    "cached-reads": ({"target": EDGE, "fault": HALF_LOST},),
}
BUGS: tuple[str, ...] = tuple(EXPOSED_BY)


def register_variant(dest: Path, bug: str = "", scenario: Mapping[str, Any] | None = None) -> Path:
    """Copy the register system to ``dest/register`` with ``BUG`` set to ``bug`` ("" is the
    correct system) and, if given, ``scenario`` as its only scenario (``default``), with the
    ledger's ``jsonhttp.py`` beside it; returns the copy's manifest path."""
    return system_variant(REGISTER_DIR, dest, bug, BUGS, scenario, [LEDGER_DIR / "jsonhttp.py"])
