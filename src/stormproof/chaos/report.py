"""The run directory's reports: ``result.json`` (for programs), ``final.json`` (the state
the invariants judged) and ``summary.md`` (for a person, or an AI fixing the code)."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from stormproof import __version__
from stormproof.chaos.nemesis import AppliedFault
from stormproof.chaos.schedule import Schedule
from stormproof.chaos.summary import render_summary
from stormproof.history import History, Validity, Verdict
from stormproof.manifest import Manifest

_QUANTILES = {"p50": 0.5, "p90": 0.9, "p99": 0.99}


def write_report(
    run_dir: Path,
    *,
    manifest: Manifest,
    schedule: Schedule,
    history: History,
    final: Any,
    verdicts: list[Verdict],
    valid: Validity,
    reason: str | None,
    applied: list[AppliedFault],
    counters: dict[str, Any],
    notes: list[str],
    seconds: float,
) -> dict[str, Any]:
    result = {
        "valid": valid,
        "reason": reason,
        "stormproof": __version__,
        "manifest": str(manifest.path),
        "scenario": schedule.scenario,
        "seed": schedule.seed,
        "duration": schedule.duration,
        "seconds": round(seconds, 3),
        "invariants": [verdict.to_dict() for verdict in verdicts],
        "faults": [fault.to_dict() for fault in applied],
        "counts": history.counts(),
        "latency_ms": latency_quantiles(history),
        "errors": error_counts(history),
        "proxies": counters,
        "notes": notes,
    }
    (run_dir / "result.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    (run_dir / "final.json").write_text(json.dumps(final, indent=2, default=str) + "\n")
    summary = render_summary(manifest, schedule, history, verdicts, result, applied, run_dir)
    (run_dir / "summary.md").write_text(summary)
    return result


def latency_quantiles(history: History) -> dict[str, dict[str, float]]:
    """Per function, milliseconds from invoke to completion of the ops that completed
    ``ok`` or ``fail`` (an ``info`` op has no known end)."""
    samples: dict[str, list[float]] = defaultdict(list)
    for invoke, completion in history.pairs():
        if completion is not None and completion.type in ("ok", "fail"):
            samples[invoke.f].append((completion.time - invoke.time) / 1e6)
    return {f: _quantiles(values) for f, values in sorted(samples.items())}


def _quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    result = {"count": float(len(ordered))}
    for name, q in _QUANTILES.items():
        result[name] = round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)
    result["max"] = round(ordered[-1], 3)
    result["mean"] = round(statistics.fmean(ordered), 3)
    return result


def error_counts(history: History) -> dict[str, int]:
    """How often each kind of error ended an op (``ReadTimeout``, ``Fail``, ...)."""
    counts: dict[str, int] = defaultdict(int)
    for op in history:
        if op.error is not None:
            counts[op.error.split(":", 1)[0]] += 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))
