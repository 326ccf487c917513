"""`stormproof check` from the command line: exit codes, formats, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stormproof.cli.main import cli

NO_TIMEOUT = "import requests\n\n\ndef charge():\n    return requests.post('http://x/charges')\n"
CLEAN = "def add(a, b):\n    return a + b\n"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(NO_TIMEOUT, encoding="utf-8")
    (tmp_path / "clean.py").write_text(CLEAN, encoding="utf-8")
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_findings_exit_1_and_json_has_the_design_shape(project: Path) -> None:
    code, out, _ = run(".", "--select", "SP101", "--format", "json", "--no-cache")
    assert code == 1
    report = json.loads(out)
    assert set(report) >= {"tool", "version", "findings", "summary"}
    [finding] = report["findings"]
    assert finding["rule"] == "SP101" and finding["path"] == "app.py" and finding["line"] == 5
    assert set(finding) == {
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
    assert report["summary"]["findings"] == 1 and report["summary"]["files"] == 2


def test_no_findings_exit_0(project: Path) -> None:
    code, out, _ = run("clean.py", "--no-cache")
    assert code == 0 and "No findings" in out


def test_fail_on_never_exits_0_with_findings(project: Path) -> None:
    code, _, _ = run(".", "--select", "SP101", "--fail-on", "never", "--no-cache")
    assert code == 0


def test_fail_on_error_ignores_warnings(project: Path) -> None:
    # SP301 (no circuit breaker) is a warning.
    code, out, _ = run(".", "--select", "SP301", "--fail-on", "error", "--no-cache")
    assert "SP301" in out and code == 0


def test_output_file(project: Path) -> None:
    code, out, _ = run(".", "--select", "SP101", "--format", "sarif", "-o", "r.sarif")
    assert code == 1 and out == ""
    assert json.loads((project / "r.sarif").read_text())["version"] == "2.1.0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "SP000"], "selects no rule"),
        (["--format", "xml"], "'xml' is not one of"),
        (["--fail-on", "sometimes"], "'sometimes' is not one of"),
        (["--jobs", "0"], "0 is not in the range"),
    ],
)
def test_usage_errors_exit_2_with_one_line(project: Path, args: list[str], message: str) -> None:
    code, _, err = run(".", *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_a_missing_path_exits_2_but_reports_the_rest(project: Path) -> None:
    code, out, _ = run("app.py", "missing.py", "--select", "SP101", "--no-cache")
    assert code == 2
    assert "SP101" in out and "missing.py: no such file or directory" in out


def test_bad_manifest_exits_2_with_one_line_naming_file_and_line(project: Path) -> None:
    (project / "stormproof.yaml").write_text("version: 2\nname: x\n", encoding="utf-8")
    code, _, err = run(".")
    assert code == 2 and "stormproof.yaml:1:" in err
    assert len(err.strip().splitlines()) == 1


def test_an_unwritable_output_exits_2_with_one_line(project: Path) -> None:
    code, _, err = run(".", "--no-cache", "-o", str(project / "missing-dir" / "out.json"))
    assert code == 2 and err.strip().startswith("stormproof check: cannot write")
    assert len(err.strip().splitlines()) == 1


def test_entry_point_runs_as_a_real_process(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "stormproof", "check", ".", "--select", "SP101", "--no-cache"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 1 and "SP101" in done.stdout


def test_version_and_help() -> None:
    runner = CliRunner()
    assert "stormproof, version" in runner.invoke(cli, ["--version"]).output
    for command in ("check", "rules", "manifest", "init"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, command
