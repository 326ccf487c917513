"""Whole chaos runs against the register system, judged by linearizability alone: the checker
must catch every planted bug under the fault that exposes it, pass it without faults, and
pass the correct system under all those faults."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from stormproof.chaos import ChaosResult
from stormproof.chaos.plugin import load_workload
from stormproof.history import Verdict
from stormproof.manifest import load_manifest
from tests.chaos.runs import one_fault_scenario, run, summary, verdicts
from tests.chaos.systems.register import BUGS, EXPOSED_BY, register_variant

SEED = 7
INVARIANT = "linearizable registers"
WINDOW_S = 3.5
KILLS_AT = (0.5, 1.3, 2.1)


def scenario(fault: dict[str, Any]) -> dict[str, Any]:
    """``fault`` over most of the window; a kill instead three times, briefly. A restart
    empties an in-memory store, but only a read before the next write shows it, so it gets
    three chances."""
    if fault["fault"] != "kill":
        return one_fault_scenario(fault, duration=WINDOW_S)
    return {
        "duration": WINDOW_S,
        "faults": [{"at": at, "duration": 0.05, **fault} for at in KILLS_AT],
    }


def one_after_another(faults: list[dict[str, Any]]) -> dict[str, Any]:
    """The scenarios of ``faults`` in turn, each starting as the one before it ends."""
    events: list[dict[str, Any]] = []
    offset = 0.0
    for fault in faults:
        events += [{**event, "at": offset + event["at"]} for event in scenario(fault)["faults"]]
        offset = events[-1]["at"] + events[-1]["duration"] - events[0]["at"] + 0.2
    return {"duration": offset + 1.0, "faults": events}


def lin_verdict(result: ChaosResult) -> Verdict:
    [verdict] = [v for v in result.verdicts if v.name == INVARIANT]
    return verdict


def _fault_id(fault: dict[str, Any]) -> str:
    return fault["fault"] if isinstance(fault["fault"], str) else fault["fault"]["kind"]


CASES = [(bug, fault) for bug, faults in EXPOSED_BY.items() for fault in faults]


@pytest.mark.parametrize(
    ("bug", "fault"), CASES, ids=[f"{bug}-{_fault_id(fault)}" for bug, fault in CASES]
)
def test_a_planted_bug_is_caught_by_the_fault_that_exposes_it(
    tmp_path: Path, bug: str, fault: dict[str, Any]
) -> None:
    manifest = register_variant(tmp_path, bug, scenario(fault))

    result = run(manifest, tmp_path / "run", seed=SEED)

    text = summary(result)
    assert result.valid is False, text
    assert result.exit_code == 1
    verdict = lin_verdict(result)
    assert verdict.valid is False
    assert "cannot be placed" in verdict.message
    # The summary shows the op that cannot be placed, and the history rows it names.
    [witness] = verdict.witnesses
    assert f"## Violated: {INVARIANT}" in text
    assert "Smallest witness" in text and witness["op"] in text
    invoke = witness["ops"][0]
    assert f"| {invoke} |" in text
    if bug == "in-memory":
        # Nothing writes null: only a store that forgot could have answered it.
        assert " read nil " in witness["op"]


@pytest.mark.parametrize("bug", ["", *BUGS], ids=["correct", *BUGS])
def test_without_faults_every_variant_is_linearizable(tmp_path: Path, bug: str) -> None:
    # The bugs are about failures: a run without faults must not flag them, or the cases
    # above would prove nothing about the faults.
    manifest = register_variant(tmp_path, bug, one_fault_scenario(None, duration=2.0))

    result = run(manifest, tmp_path / "run", seed=SEED)

    assert result.valid is True, summary(result)
    assert result.exit_code == 0
    assert verdicts(result) == {INVARIANT: True}


def test_the_correct_register_holds_under_every_exposing_fault(tmp_path: Path) -> None:
    distinct = {json.dumps(f, sort_keys=True): f for faults in EXPOSED_BY.values() for f in faults}
    plan = one_after_another(list(distinct.values()))
    manifest = register_variant(tmp_path, "", plan)

    result = run(manifest, tmp_path / "run", seed=SEED)

    assert result.valid is True, summary(result)
    verdict = lin_verdict(result)
    assert "linearizable as a cas-register" in verdict.message
    report = json.loads((result.run_dir / "result.json").read_text())
    assert len(report["faults"]) == len(plan["faults"])
    assert all(f["error"] is None for f in report["faults"]), report["faults"]
    # The check had ops of unknown outcome to place and failed compares to honour: the
    # faults did reach the register's hard cases.
    counts = report["counts"]
    assert counts["info"] > 0 and counts["fail"] > 0, counts
    assert verdict.counts["ops"] > 0
    assert verdict.counts["keys"] == 3


def test_the_workload_writes_fresh_values_and_chains_its_cas(tmp_path: Path) -> None:
    workload = load_workload(load_manifest(register_variant(tmp_path)))
    rng = random.Random(SEED)

    ops = [workload.generate(rng) for _ in range(200)]

    assert {op.f for op in ops} == {"read", "write", "cas"}
    assert {op.key for op in ops} == {"r0", "r1", "r2"}
    assert all(op.value is None for op in ops if op.f == "read")
    for key in ("r0", "r1", "r2"):
        mine = [op for op in ops if op.key == key and op.f != "read"]
        written = [op.value if op.f == "write" else op.value[1] for op in mine]
        assert written == list(range(1, len(written) + 1))
    # Each cas expects the value generated just before it, for its register.
    assert all(op.value[0] == op.value[1] - 1 for op in ops if op.f == "cas")
    [invariant] = workload.invariants()
    assert invariant.name == INVARIANT


def test_an_unknown_bug_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown register bug 'typo'; expected one of retry-cas"):
        register_variant(tmp_path, "typo")
