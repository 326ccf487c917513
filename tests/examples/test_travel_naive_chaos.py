"""The issue's acceptance run: `stormproof chaos examples/travel/naive --seed 1` must catch
the naive system breaking its invariants, and leave nothing running."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stormproof.chaos import ChaosOptions, run_chaos
from tests.chaos.leftovers import processes_in
from tests.examples.conftest import SERVICE_MODULES, TRAVEL_NAIVE_DIR


def test_the_default_scenario_catches_the_naive_system(tmp_path: Path) -> None:
    for module in SERVICE_MODULES:
        pytest.importorskip(module, reason=f"the travel example's services need {module}")

    result = run_chaos(ChaosOptions(path=TRAVEL_NAIVE_DIR, seed=1, out=tmp_path / "run"))

    assert processes_in(TRAVEL_NAIVE_DIR) == []
    assert result.exit_code == 1
    broken = {verdict.name for verdict in result.verdicts if verdict.valid is False}
    # A crash between a saga's steps, and failures after the charge, leave sagas half done;
    # lost updates on balances break the money total.
    assert {"each booking all or nothing", "money is conserved"} <= broken, broken
    report = json.loads((result.run_dir / "result.json").read_text())
    kills = [f for f in report["faults"] if f["fault"]["kind"] == "kill"]
    assert kills and kills[0]["target"] == "booking" and kills[0]["error"] is None
    assert report["seconds"] < 60
