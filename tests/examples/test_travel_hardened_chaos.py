"""The issue's acceptance run: `stormproof chaos examples/travel/hardened --seed N` holds every
invariant for seeds 1, 2 and 3 under the default scenario, the coordinator's crash included,
and leaves nothing running. The same workload and faults break the naive system
(tests/examples/test_travel_naive_chaos.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stormproof.chaos import ChaosOptions, run_chaos
from tests.chaos.leftovers import processes_in
from tests.examples.conftest import SERVICE_MODULES, TRAVEL_HARDENED_DIR


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_default_scenario_holds_on_the_hardened_system(tmp_path: Path, seed: int) -> None:
    for module in SERVICE_MODULES:
        pytest.importorskip(module, reason=f"the travel example's services need {module}")

    result = run_chaos(ChaosOptions(path=TRAVEL_HARDENED_DIR, seed=seed, out=tmp_path / "run"))

    assert processes_in(TRAVEL_HARDENED_DIR) == []
    broken = [verdict for verdict in result.verdicts if verdict.valid is not True]
    assert result.exit_code == 0, [(verdict.name, verdict.message) for verdict in broken]
    assert len(result.verdicts) == 5
    report = json.loads((result.run_dir / "result.json").read_text())
    # Every fault was injected, the coordinator's crash included, and trips got through.
    assert [f["error"] for f in report["faults"]] == [None] * 7
    assert any(f["target"] == "booking" and f["fault"]["kind"] == "kill" for f in report["faults"])
    ops = [json.loads(line) for line in (result.run_dir / "history.jsonl").read_text().splitlines()]
    assert sum(op["type"] == "ok" for op in ops) >= 20
    # The restarted coordinator resumed the sagas the crash cut off.
    assert "recovered saga" in (result.run_dir / "logs" / "booking.log").read_text()
