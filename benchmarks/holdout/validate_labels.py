"""Check the held-out set's labels before anything is scored against them.

    python benchmarks/holdout/validate_labels.py

For every system under benchmarks/holdout/ (a directory with a stormproof.yaml):
the manifest loads; expected.json and ambiguous.json have the documented
shape; every label names a known rule and a file of the system that is either
stormproof.yaml or inside a service's `path:`; every `line_contains` occurs on
exactly one line of its file; no label is repeated; no line is both labeled
and left ambiguous for the same rule. Prints one line per problem and exits 1
if there is any, else prints the label counts per rule and exits 0.

A scorer imports `resolve(system)` for the labels as (path, line, rule) triples.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stormproof.manifest import ManifestError, load_manifest

HOLDOUT = Path(__file__).resolve().parent
MANIFEST = "stormproof.yaml"
RULES = frozenset(
    {
        *("SP001", "SP101", "SP102", "SP201", "SP202", "SP203", "SP204", "SP205", "SP301"),
        *("SP401", "SP402", "SP501", "SP502", "SP601", "SP701", "SP702", "SP801", "SP802"),
        *("SP803", "SP804", "SP901", "SP902"),
    }
)


@dataclass(frozen=True)
class Label:
    """One expected finding, or (for an ambiguous line) one rule the scorer ignores there."""

    path: str
    rule: str
    line_contains: str


Finding = tuple[str, int, str]


@dataclass
class SystemLabels:
    """A system's labels as (path, line, rule): findings expected, findings to ignore."""

    expected: set[Finding]
    ignored: set[Finding]
    problems: list[str]


def resolve(system: Path) -> tuple[set[Finding], set[Finding]]:
    """(expected findings, findings to ignore) of one system, as (path, line, rule).

    Raises ValueError naming the first problem when the labels do not check.
    """
    labels = check_system(system)
    if labels.problems:
        raise ValueError(labels.problems[0])
    return labels.expected, labels.ignored


def systems(root: Path = HOLDOUT) -> list[Path]:
    """The system directories of the set, in name order."""
    return sorted(path.parent for path in root.glob(f"*/{MANIFEST}"))


def check_system(system: Path) -> SystemLabels:
    """Read and check one system's labels; problems are one-line messages naming the file."""
    problems: list[str] = []
    service_dirs = _service_dirs(system, problems)
    resolved: dict[str, Counter[Finding]] = {}
    for name, ambiguous in (("expected.json", False), ("ambiguous.json", True)):
        found: Counter[Finding] = Counter()
        for label in _read_labels(system / name, problems, ambiguous=ambiguous):
            line = _locate(system, service_dirs, label)
            if isinstance(line, str):
                problems.append(f"{system / name}: {label.path} {label.rule}: {line}")
            else:
                found[(label.path, line, label.rule)] += 1
        problems.extend(
            f"{system / name}: {path}:{line} {rule} is labeled {count} times"
            for (path, line, rule), count in found.items()
            if count > 1
        )
        resolved[name] = found
    expected, ignored = set(resolved["expected.json"]), set(resolved["ambiguous.json"])
    problems.extend(
        f"{system}: {path}:{line} {rule} is both expected and ambiguous"
        for path, line, rule in sorted(expected & ignored)
    )
    return SystemLabels(expected, ignored, problems)


def _service_dirs(system: Path, problems: list[str]) -> list[Path] | None:
    try:
        manifest = load_manifest(system / MANIFEST)
    except ManifestError as exc:
        problems.append(str(exc))
        return None
    return [(system / service.path).resolve() for service in manifest.services.values()]


def _read_labels(path: Path, problems: list[str], *, ambiguous: bool) -> list[Label]:
    if not path.exists():
        if not ambiguous:
            problems.append(f"{path}: missing")
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(f"{path}: not readable JSON: {exc}")
        return []
    if not isinstance(entries, list):
        problems.append(f"{path}: expected a JSON list")
        return []
    labels: list[Label] = []
    for index, entry in enumerate(entries):
        problem = _shape_problem(entry, ambiguous=ambiguous)
        if problem:
            problems.append(f"{path}: entry {index}: {problem}")
            continue
        rules = entry["rules"] if ambiguous else [entry["rule"]]
        labels.extend(Label(entry["path"], rule, entry["line_contains"]) for rule in rules)
    return labels


def _shape_problem(entry: Any, *, ambiguous: bool) -> str | None:
    keys = {"path", "line_contains", "rules"} if ambiguous else {"path", "rule", "line_contains"}
    if not isinstance(entry, dict) or set(entry) != keys:
        return f"expected an object with exactly the keys {sorted(keys)}"
    if not all(isinstance(entry[key], str) and entry[key] for key in ("path", "line_contains")):
        return "path and line_contains must be non-empty strings"
    rules = entry["rules"] if ambiguous else [entry["rule"]]
    if not isinstance(rules, list) or not rules:
        return "rules must be a non-empty list"
    unknown = [rule for rule in rules if rule not in RULES]
    if unknown:
        return f"unknown rule id(s) {unknown}"
    return None


def _locate(system: Path, service_dirs: list[Path] | None, label: Label) -> int | str:
    """The 1-based line `label` points at, or why it points at no single line."""
    path = (system / label.path).resolve()
    if not path.is_file() or not path.is_relative_to(system.resolve()):
        return "no such file in the system"
    exempt = service_dirs is None or label.path == MANIFEST
    if not exempt and not any(path.is_relative_to(directory) for directory in service_dirs):
        return "the file belongs to no service of the manifest"
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [number for number, text in enumerate(lines, 1) if label.line_contains in text]
    if len(hits) != 1:
        return f"{label.line_contains!r} is on {len(hits)} lines, not exactly one"
    return hits[0]


def main() -> int:
    found = systems()
    if not found:
        print(f"{HOLDOUT}: no system directories (with a {MANIFEST}) found")
        return 1
    per_rule: Counter[str] = Counter()
    ambiguous_lines = 0
    problems: list[str] = []
    for system in found:
        labels = check_system(system)
        problems.extend(labels.problems)
        per_rule.update(rule for _, _, rule in labels.expected)
        ambiguous_lines += len({(path, line) for path, line, _ in labels.ignored})
    for problem in problems:
        print(problem)
    if problems:
        return 1
    total = sum(per_rule.values())
    print(f"{len(found)} systems, {total} labels, {ambiguous_lines} ambiguous lines")
    for rule in sorted(per_rule):
        print(f"  {rule}  {per_rule[rule]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
