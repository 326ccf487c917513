from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from stormproof import __version__
from stormproof.check.finding import Finding
from stormproof.check.report import render
from stormproof.check.result import CheckResult
from stormproof.check.rule import Rule

MakeFinding = Callable[..., Finding]


def test_document_has_the_design_shape(full_result: CheckResult) -> None:
    document = json.loads(render(full_result, "json"))
    assert list(document) == [
        "tool",
        "version",
        "findings",
        "summary",
        "suppressed",
        "diagnostics",
    ]
    assert document["tool"] == "stormproof"
    assert document["version"] == __version__
    assert document["summary"] == {
        "files": 14,
        "findings": 2,
        "errors": 1,
        "warnings": 1,
        "suppressed": 1,
    }


def test_findings_are_sorted_and_round_trip(full_result: CheckResult) -> None:
    document = json.loads(render(full_result, "json"))
    findings = [Finding.from_json(data) for data in document["findings"]]
    assert findings == sorted(full_result.findings, key=lambda f: f.sort_key)
    assert [f["rule"] for f in document["findings"]] == ["SP201", "SP101"]
    assert "justification" not in document["findings"][0]
    assert set(document["findings"][1]) == {
        "rule",
        "name",
        "category",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "service",
        "message",
        "fix",
    }


def test_suppressed_findings_carry_their_justification(full_result: CheckResult) -> None:
    document = json.loads(render(full_result, "json"))
    [silenced] = document["suppressed"]
    assert silenced["justification"] == "payments is local"
    assert silenced["message"] == "silenced"


def test_diagnostics_are_listed_with_location(full_result: CheckResult) -> None:
    document = json.loads(render(full_result, "json"))
    assert document["diagnostics"] == [
        {"path": "gateway/bad.py", "line": 3, "column": 5, "message": "invalid syntax"}
    ]


def test_sort_key_breaks_ties_by_column_then_rule(
    make_finding: MakeFinding, retry_rule: type[Rule], project: Path
) -> None:
    findings = [
        make_finding(retry_rule, line=2, column=5),
        make_finding(line=2, column=5),
        make_finding(line=2, column=1),
        make_finding(path="a.py", line=9),
    ]
    document = json.loads(render(CheckResult(root=project, findings=findings), "json"))
    order = [(f["path"], f["line"], f["column"], f["rule"]) for f in document["findings"]]
    assert order == [
        ("a.py", 9, 9, "SP101"),
        ("booking/app.py", 2, 1, "SP101"),
        ("booking/app.py", 2, 5, "SP101"),
        ("booking/app.py", 2, 5, "SP201"),
    ]


def test_pretty_printed_with_trailing_newline(project: Path) -> None:
    out = render(CheckResult(root=project, files=0), "json")
    assert out.endswith("}\n")
    assert '\n  "tool": "stormproof",\n' in out
    assert json.loads(out)["findings"] == []
