from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stormproof.check.finding import Finding
from stormproof.check.report import render
from stormproof.check.report.github import escape_data, escape_property, workflow_command
from stormproof.check.result import CheckResult, Diagnostic
from stormproof.check.rule import Rule

MakeFinding = Callable[..., Finding]


def test_one_error_command_per_finding(project: Path, make_finding: MakeFinding) -> None:
    finding = make_finding(line=42, column=9, end_line=42, end_column=61, fix="")
    out = render(CheckResult(root=project, findings=[finding]), "github")
    assert out == (
        "::error file=booking/app.py,line=42,col=9,endLine=42,endColumn=61,"
        "title=SP101 remote-call-without-timeout::requests.post to payments has no timeout\n"
    )


def test_warning_severity_and_fix_on_second_line(
    project: Path, make_finding: MakeFinding, retry_rule: type[Rule]
) -> None:
    finding = make_finding(retry_rule, message="loops forever", fix="bound it")
    out = render(CheckResult(root=project, findings=[finding]), "github")
    assert out.startswith("::warning file=booking/app.py,")
    assert out.endswith("::loops forever%0Afix: bound it\n")


def test_escaping_follows_actions_toolkit() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert workflow_command("error", {"file": "x,y.py"}, "m: 50%") == (
        "::error file=x%2Cy.py::m: 50%25"
    )


def test_message_cannot_start_a_second_command(project: Path, make_finding: MakeFinding) -> None:
    finding = make_finding(message="ok\n::error file=evil.py::injected", fix="")
    out = render(CheckResult(root=project, findings=[finding]), "github")
    assert out.count("\n") == 1
    assert "ok%0A::error file=evil.py::injected" in out


def test_suppressed_are_skipped_and_diagnostics_are_warnings(full_result: CheckResult) -> None:
    out = render(full_result, "github")
    lines = out.splitlines()
    assert len(lines) == 3
    assert "silenced" not in out
    assert lines[-1] == (
        "::warning file=gateway/bad.py,line=3,col=5,"
        "title=stormproof could not check this file::invalid syntax"
    )


def test_no_findings_prints_nothing(project: Path) -> None:
    assert render(CheckResult(root=project, diagnostics=[], files=3), "github") == ""


def test_diagnostic_without_line_names_only_the_file(project: Path) -> None:
    result = CheckResult(root=project, diagnostics=[Diagnostic("a.py", "not UTF-8")])
    assert render(result, "github").startswith("::warning file=a.py,title=")
