"""``summary.md``: the verdict told for a person, or an AI that has to fix the code.

It leads with what broke, then the smallest witness, the operations that mention it, the
faults active around them, and the command that replays the run.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from stormproof.chaos.nemesis import AppliedFault
from stormproof.chaos.schedule import Schedule
from stormproof.history import History, Op, Verdict
from stormproof.manifest import Manifest

MAX_OPS_SHOWN = 12
MAX_VALUE_CHARS = 160
# Faults this close to a witness's operations are shown with it (ns).
FAULT_MARGIN_NS = 2_000_000_000

_HEADLINES = {
    True: "every invariant held",
    False: "INVARIANT VIOLATED",
    "unknown": "UNKNOWN: the run could not be judged",
}
_VERDICT_WORDS = {True: "held", False: "**violated**", "unknown": "unknown"}


def render_summary(
    manifest: Manifest,
    schedule: Schedule,
    history: History,
    verdicts: list[Verdict],
    result: dict[str, Any],
    applied: list[AppliedFault],
    run_dir: Path,
) -> str:
    parts = [
        _header(manifest, schedule, result, run_dir),
        _invariants(verdicts),
        *(_broken(verdict, history, applied) for verdict in verdicts if verdict.valid is False),
        _faults(applied),
        _proxies(result["proxies"]),
        _notes(result),
        _files(manifest),
    ]
    return "\n".join(part for part in parts if part)


def _header(manifest: Manifest, schedule: Schedule, result: dict[str, Any], run_dir: Path) -> str:
    counts = result["counts"]
    target = shlex.quote(str(manifest.root))
    lines = [
        f"# stormproof chaos: {_HEADLINES[result['valid']]}",
        "",
        f"System `{manifest.name}`, scenario `{schedule.scenario}`, seed {schedule.seed}: "
        f"{schedule.duration:g} s of workload under {len(schedule.events)} scheduled faults, "
        f"{counts.get('invoke', 0)} operations ({counts.get('ok', 0)} ok, "
        f"{counts.get('fail', 0)} fail, {counts.get('info', 0)} info).",
    ]
    if result["reason"]:
        lines += ["", f"Why unknown: {result['reason']}."]
    lines += [
        "",
        "Run it again with the same faults and operations:",
        "",
        f"    stormproof chaos {target} --replay {shlex.quote(str(run_dir))}",
        "",
        "An `info` operation's outcome is unknown to the client (a timeout, a dropped "
        "connection): it may have taken effect, later than it was answered, or never.",
        "",
    ]
    return "\n".join(lines)


def _invariants(verdicts: list[Verdict]) -> str:
    if not verdicts:
        return ""
    rows = [f"| {v.name} | {_VERDICT_WORDS[v.valid]} | {_cell(v.message)} |" for v in verdicts]
    return "\n".join(
        ["## Invariants", "", "| invariant | verdict | detail |", "|---|---|---|", *rows, ""]
    )


def _broken(verdict: Verdict, history: History, applied: list[AppliedFault]) -> str:
    lines = [f"## Violated: {verdict.name}", "", verdict.message + ".", ""]
    if not verdict.witnesses:
        return "\n".join(lines)
    # The first witness the history can explain, if any: it shows what the client saw.
    explained = ((w, _related_ops(w, history)) for w in verdict.witnesses)
    witness, ops = next(((w, o) for w, o in explained if o), (verdict.witnesses[0], []))
    lines += [
        "Smallest witness:",
        "",
        "```json",
        json.dumps(witness, indent=2, default=str),
        "```",
        "",
    ]
    if ops:
        lines += _op_table(ops, witness)
        start, end = min(op.time for op in ops), max(op.time for op in ops)
        near = [a for a in applied if a.overlaps(start - FAULT_MARGIN_NS, end + FAULT_MARGIN_NS)]
        lines += _faults_near(near)
    elif "id" in witness:
        lines += [f"No operation in the history mentions `{witness['id']}`.", ""]
    return "\n".join(lines)


def _related_ops(witness: dict[str, Any], history: History) -> list[Op]:
    """The ops a witness names (by index, or by an id their values mention), each with the
    other half of its invoke/completion pair."""
    named = [
        history[i] for i in witness.get("ops", ()) if isinstance(i, int) and 0 <= i < len(history)
    ]
    if isinstance(witness.get("id"), str):
        named += history.mentioning(witness["id"])
    indices: set[int] = set()
    for op in named:
        indices.add(op.index)
        partner = history.invocation(op) if op.type != "invoke" else history.completion(op)
        if partner is not None:
            indices.add(partner.index)
    return [history[i] for i in sorted(indices)][:MAX_OPS_SHOWN]


def _op_table(ops: list[Op], witness: dict[str, Any]) -> list[str]:
    subject = f"`{witness['id']}`" if "id" in witness else "the witness"
    rows = [
        f"| {op.index} | {_seconds(op.time)} | {op.process} | {op.type} | {op.f} | "
        f"{_cell(_short(op.value))} | {_cell(op.error or '')} |"
        for op in ops
    ]
    return [
        f"Operations that concern {subject}:",
        "",
        "| # | time | process | type | f | value | error |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def _faults_near(near: list[AppliedFault]) -> list[str]:
    if not near:
        return ["No fault was active around these operations.", ""]
    lines = ["Faults active around them:", ""]
    lines += [f"- {_span(a)} {a.event.label}" for a in near]
    return [*lines, ""]


def _faults(applied: list[AppliedFault]) -> str:
    if not applied:
        return "## Faults\n\nNone were scheduled.\n"
    rows = [
        f"| {_span(a)} | {a.event.fault.kind} | {a.event.target} | {_cell(a.event.label)} | "
        f"{_cell(a.error or '')} |"
        for a in applied
    ]
    header = [
        "## Faults",
        "",
        "| when | kind | target | fault | problem |",
        "|---|---|---|---|---|",
    ]
    return "\n".join([*header, *rows, ""])


def _proxies(counters: dict[str, Any]) -> str:
    if not counters:
        return ""
    rows = []
    for edge, c in counters.items():
        faults = ", ".join(f"{kind} {n}" for kind, n in c.get("faults", {}).items()) or "none"
        rows.append(f"| {edge} | {c.get('connections', 0)} | {c.get('requests', 0)} | {faults} |")
    header = [
        "## Traffic",
        "",
        "| edge | connections | requests | faults injected |",
        "|---|---|---|---|",
    ]
    return "\n".join([*header, *rows, ""])


def _notes(result: dict[str, Any]) -> str:
    if not result["notes"]:
        return ""
    return "\n".join(["## Notes", "", *(f"- {note}" for note in result["notes"]), ""])


def _files(manifest: Manifest) -> str:
    logs = ", ".join(f"`logs/{name}.log`" for name in manifest.services)
    return "\n".join(
        [
            "## Files",
            "",
            "`history.jsonl` (every operation), `schedule.json` (the faults, for `--replay`), "
            f"`result.json`, `final.json` (the state the invariants judged), {logs}.",
            "",
        ]
    )


def _span(applied: AppliedFault) -> str:
    if applied.started is None:
        return f"{applied.event.at:g}s (not applied)"
    end = "end" if applied.ended is None else _seconds(applied.ended)
    return f"{_seconds(applied.started)} to {end}"


def _seconds(ns: int) -> str:
    return f"{ns / 1e9:.2f}s"


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, separators=(",", ":"))
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
