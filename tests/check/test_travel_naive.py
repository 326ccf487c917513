"""`stormproof check` on the bundled naive travel system finds exactly its labeled flaws."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stormproof.check import CheckOptions, run_check
from stormproof.check.rules import ALL_RULES

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "travel" / "naive"
LABELS = REPO / "tests" / "data" / "travel_naive_expected.json"


def expected_findings() -> set[tuple[str, int, str]]:
    labels = set()
    for label in json.loads(LABELS.read_text(encoding="utf-8")):
        lines = (EXAMPLE / label["path"]).read_text(encoding="utf-8").splitlines()
        matching = [n for n, line in enumerate(lines, start=1) if label["line_contains"] in line]
        assert len(matching) == 1, f"label {label} must match exactly one line"
        labels.add((label["path"], matching[0], label["rule"]))
    return labels


def test_every_label_points_at_one_line() -> None:
    assert len(expected_findings()) >= 30


def test_check_reports_exactly_the_labeled_flaws() -> None:
    registered = {rule.id for rule in ALL_RULES}
    if not registered:
        pytest.skip("no rules registered")
    expected = {label for label in expected_findings() if label[2] in registered}
    result = run_check([EXAMPLE], CheckOptions(cache=False))
    actual = {(f.path, f.line, f.rule) for f in result.findings}
    assert not result.diagnostics
    assert sorted(expected - actual) == [], "missed"
    assert sorted(actual - expected) == [], "spurious"


def test_check_covers_at_least_seven_categories() -> None:
    result = run_check([EXAMPLE], CheckOptions(cache=False))
    categories = {f.category for f in result.findings}
    if len({r.category for r in ALL_RULES}) < 7:
        pytest.skip("fewer than seven categories registered")
    assert len(categories) >= 7, categories
