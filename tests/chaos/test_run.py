"""Whole chaos runs against the ledger system: the harness must catch every planted bug with
the fault that exposes it, and must pass the correct system under every fault kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stormproof.chaos import ChaosResult
from stormproof.chaos.process import faketime_library
from stormproof.history import read_history
from tests.chaos.runs import one_fault_scenario, run, summary, verdicts
from tests.chaos.systems.ledger import EXPOSED_BY, ledger_variant

SEED = 7
# Which invariant each planted bug breaks.
BROKEN_BY = {
    "swallow-errors": "acknowledged deposits kept",
    "in-memory": "acknowledged deposits kept",
    "wall-clock-expiry": "acknowledged deposits kept",
    "retry-new-id": "each deposit applied once",
    "no-dedup": "each deposit applied once",
}
NO_FAKETIME = "clock skew needs libfaketime (Debian package faketime), which is not installed"


def _fault_id(fault: dict[str, Any]) -> str:
    kind = fault["fault"] if isinstance(fault["fault"], str) else fault["fault"]["kind"]
    extra = "-refuse" if isinstance(fault["fault"], dict) and "mode" in fault["fault"] else ""
    return f"{kind}{extra}"


CASES = [(bug, fault) for bug, faults in EXPOSED_BY.items() for fault in faults]


@pytest.mark.parametrize(
    ("bug", "fault"), CASES, ids=[f"{bug}-{_fault_id(fault)}" for bug, fault in CASES]
)
def test_a_planted_bug_is_caught_by_the_fault_that_exposes_it(
    tmp_path: Path, bug: str, fault: dict[str, Any]
) -> None:
    if _fault_id(fault) == "skew" and faketime_library() is None:
        pytest.skip(NO_FAKETIME)
    manifest = ledger_variant(tmp_path, bug, one_fault_scenario(fault))

    result = run(manifest, tmp_path / "run", seed=SEED)

    assert result.valid is False, summary(result)
    assert result.exit_code == 1
    assert verdicts(result)[BROKEN_BY[bug]] is False, summary(result)
    assert f"## Violated: {BROKEN_BY[bug]}" in summary(result)


@pytest.mark.parametrize("bug", list(EXPOSED_BY))
def test_a_planted_bug_stays_hidden_without_faults(tmp_path: Path, bug: str) -> None:
    # The bugs are about failures: a run without faults must not flag them, or the
    # cases above would prove nothing about the faults.
    manifest = ledger_variant(tmp_path, bug, one_fault_scenario(None, duration=2.0))

    result = run(manifest, tmp_path / "run", seed=SEED)

    assert result.valid is True, summary(result)
    assert result.exit_code == 0


def test_the_correct_ledger_holds_under_every_fault_kind(tmp_path: Path) -> None:
    kinds: list[dict[str, Any]] = [
        {"target": "api->store", "fault": "partition"},
        {"target": "api->store", "fault": {"kind": "partition", "mode": "refuse"}},
        {"target": "api->store", "fault": "reset"},
        {"target": "api->store", "fault": "drop"},
        {"target": "api->store", "fault": "http_error"},
        {"target": "api->store", "fault": {"kind": "latency", "delay_ms": 1500}},
        {"target": "api->store", "fault": "drop_response"},
        {"target": "api->store", "fault": "duplicate"},
        {"target": "store", "fault": "pause"},
        {"target": "store", "fault": "kill"},
    ]
    if faketime_library() is not None:
        kinds.append({"target": "store", "fault": {"kind": "skew", "offset_s": 60}})
    step = 1.2
    scenario = {
        "duration": step * len(kinds) + 0.5,
        "faults": [{"at": 0.3 + i * step, "duration": 1.0, **kind} for i, kind in enumerate(kinds)],
    }
    manifest = ledger_variant(tmp_path, "", scenario)

    result = run(manifest, tmp_path / "run", seed=SEED)

    assert result.valid is True, summary(result)
    report = json.loads((result.run_dir / "result.json").read_text())
    applied = report["faults"]
    assert len(applied) == len(kinds)
    assert all(f["started_ns"] is not None and f["ended_ns"] is not None for f in applied)
    assert all(f["error"] is None for f in applied), applied
    counts = report["counts"]
    assert counts["ok"] > 0 and counts["invoke"] == counts["ok"] + counts["fail"] + counts["info"]


def test_the_run_directory_holds_what_design_lists(tmp_path: Path) -> None:
    manifest = ledger_variant(
        tmp_path, "in-memory", one_fault_scenario({"target": "store", "fault": "kill"})
    )

    result = run(manifest, tmp_path / "run", seed=SEED)

    files = {p.name for p in result.run_dir.iterdir()}
    assert {"result.json", "history.jsonl", "schedule.json", "summary.md", "logs"} <= files
    assert {p.name for p in (result.run_dir / "logs").iterdir()} == {"api.log", "store.log"}
    report = json.loads((result.run_dir / "result.json").read_text())
    assert report["valid"] is False
    assert (report["seed"], report["scenario"]) == (SEED, "default")
    assert report["faults"][0]["fault"] == {"kind": "kill"}
    assert {v["name"]: v["valid"] for v in report["invariants"]}[BROKEN_BY["in-memory"]] is False
    assert set(report["latency_ms"]["deposit"]) >= {"p50", "p99", "max"}
    history = read_history(result.run_dir / "history.jsonl")
    assert history.counts() == report["counts"]
    text = summary(result)
    # The summary names the seed to replay, the witness and the fault active around it.
    assert f"seed {SEED}" in text and "--replay" in text
    assert "Smallest witness" in text and "kill() on store" in text


def test_replay_applies_the_same_faults_and_operations(tmp_path: Path) -> None:
    manifest = ledger_variant(tmp_path, "")
    first = run(manifest, tmp_path / "first", seed=3, duration=5.0)
    again = run(manifest, tmp_path / "again", replay=first.run_dir)

    assert (first.run_dir / "schedule.json").read_text() == (
        again.run_dir / "schedule.json"
    ).read_text()
    assert first.schedule.events, "the default scenario should have generated faults"

    def invoked(result: ChaosResult) -> list[Any]:
        history = read_history(result.run_dir / "history.jsonl")
        return [op.value for op in history if op.type == "invoke"]

    # The workload draws its operations from the seed too; how many fit in the window
    # depends on timing, so compare the common prefix.
    a, b = invoked(first), invoked(again)
    assert len(a) > 10 and a[: min(len(a), len(b))] == b[: min(len(a), len(b))]
