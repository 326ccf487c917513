"""SARIF and GitHub annotations carry repository-relative paths; the other formats do not."""

from __future__ import annotations

import json
from pathlib import Path

from stormproof.check.finding import Finding
from stormproof.check.report import render
from stormproof.check.result import CheckResult, Diagnostic


def result_in(root: Path) -> CheckResult:
    finding = Finding(
        rule="SP101",
        name="remote-call-without-timeout",
        category="timeout",
        severity="error",
        path="booking/app.py",
        line=3,
        column=5,
        end_line=3,
        end_column=20,
        service="booking",
        message="requests.post to payments has no timeout",
        fix="pass timeout=",
    )
    return CheckResult(
        root=root, findings=[finding], diagnostics=[Diagnostic("bad.py", "cannot parse")]
    )


def test_a_manifest_in_a_subdirectory_is_prefixed_for_github(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    system = tmp_path / "services" / "travel"
    system.mkdir(parents=True)
    result = result_in(system)
    sarif = json.loads(render(result, "sarif"))
    [entry] = sarif["runs"][0]["results"]
    uri = entry["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "services/travel/booking/app.py"
    assert "file=services/travel/booking/app.py,line=3" in render(result, "github")
    assert "file=services/travel/bad.py" in render(result, "github")
    assert json.loads(render(result, "json"))["findings"][0]["path"] == "booking/app.py"


def test_paths_are_left_alone_at_the_repository_root_or_outside_one(tmp_path: Path) -> None:
    outside = json.loads(render(result_in(tmp_path), "sarif"))
    (tmp_path / ".git").mkdir()
    at_root = json.loads(render(result_in(tmp_path), "sarif"))
    for sarif in (outside, at_root):
        location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "booking/app.py"
