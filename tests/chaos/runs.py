"""Running a chaos test system in a test: one fault at a time, and reading the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stormproof.chaos import ChaosOptions, ChaosResult, run_chaos
from tests.chaos.leftovers import processes_in


def one_fault_scenario(fault: dict[str, Any] | None, duration: float = 3.5) -> dict[str, Any]:
    """``fault`` active from 0.5 s until a second before the window closes."""
    faults = [] if fault is None else [{"at": 0.5, "duration": duration - 1.5, **fault}]
    return {"duration": duration, "faults": faults}


def run(manifest: Path, out: Path, **options: Any) -> ChaosResult:
    result = run_chaos(ChaosOptions(path=manifest, out=out, settle=1.0, **options))
    assert processes_in(manifest.parent) == [], "the run left processes behind"
    return result


def verdicts(result: ChaosResult) -> dict[str, object]:
    return {verdict.name: verdict.valid for verdict in result.verdicts}


def summary(result: ChaosResult) -> str:
    return (result.run_dir / "summary.md").read_text()
