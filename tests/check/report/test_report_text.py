from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from stormproof.check.finding import Finding
from stormproof.check.report import render
from stormproof.check.report.text import code_frame, rule_counts, summary_line
from stormproof.check.result import CheckResult, Diagnostic
from stormproof.check.rule import Rule

MakeFinding = Callable[..., Finding]
LINES = ["a = 1", "b = 2", "c = 3", "d = 4", "e = 5", "f = 6", "g = 7"]


def test_full_block_matches_ruff_style(full_result: CheckResult) -> None:
    out = render(full_result, "text")
    expected_block = """\
booking/app.py:6:9: SP101 [error] remote-call-without-timeout
  requests.post to payments has no timeout
    |
  4 | def book(trip):
  5 |     body = {"trip": trip}
  6 |     r = requests.post(PAYMENTS, json=body)
    |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  7 |     return r.json()
    |
  fix: pass timeout=… (seconds) or use stormproof.kit.Client
  service: booking
"""
    assert expected_block in out


def test_findings_in_order_then_diagnostics_counts_and_summary(full_result: CheckResult) -> None:
    out = render(full_result, "text")
    retry_at = out.index("booking/app.py:4:1: SP201 [warning] unbounded-retry")
    timeout_at = out.index("booking/app.py:6:9: SP101")
    diagnostic_at = out.index("warning: gateway/bad.py:3:5: invalid syntax")
    counts_at = out.index("SP101 remote-call-without-timeout  1")
    assert retry_at < timeout_at < diagnostic_at < counts_at
    assert out.rstrip("\n").splitlines()[-1] == (
        "Found 2 findings (1 error, 1 warning) in 14 files; 1 suppressed."
    )
    assert "silenced" not in out


def test_span_over_several_lines_is_underlined_to_end_of_first_line(
    make_finding: MakeFinding, retry_rule: type[Rule]
) -> None:
    finding = make_finding(retry_rule, line=3, column=3, end_line=5, end_column=2)
    rows = code_frame(LINES, finding)
    assert [row.number for row in rows] == [1, 2, 3, None, 4, 5]
    assert rows[3].code == "  ^^^"


def test_frame_is_clipped_at_both_ends_of_the_file(make_finding: MakeFinding) -> None:
    first = code_frame(LINES, make_finding(line=1, column=1, end_line=1))
    last = code_frame(LINES, make_finding(line=7, column=1, end_line=7))
    assert [row.number for row in first] == [1, None, 2, 3]
    assert [row.number for row in last] == [5, 6, 7, None]


def test_line_missing_from_file_gives_no_frame(make_finding: MakeFinding) -> None:
    assert code_frame(LINES, make_finding(line=99, end_line=99)) == []
    assert code_frame(LINES, make_finding(line=0, end_line=0)) == []


def test_empty_and_out_of_range_spans_still_get_one_caret(make_finding: MakeFinding) -> None:
    empty = make_finding(line=2, column=3, end_line=2, end_column=3)
    assert code_frame(LINES, empty)[2].code == "  ^"
    past_end = make_finding(line=2, column=40, end_line=2, end_column=50)
    assert code_frame(LINES, past_end)[2].code == "     ^"


def test_underline_follows_tab_expansion(make_finding: MakeFinding) -> None:
    rows = code_frame(["\tcall(x)"], make_finding(line=1, column=2, end_line=1, end_column=9))
    assert rows[0].code == "    call(x)"
    assert rows[1].code == "    ^^^^^^^"


def test_unreadable_file_prints_header_without_frame(
    project: Path, make_finding: MakeFinding
) -> None:
    result = CheckResult(root=project, findings=[make_finding(path="gone.py")], files=1)
    out = render(result, "text")
    assert "gone.py:6:9: SP101 [error]" in out
    assert " | " not in out


def test_custom_source_reader_is_used(project: Path, make_finding: MakeFinding) -> None:
    finding = make_finding(line=1, column=1, end_line=1)
    result = CheckResult(root=project, findings=[finding], files=1)
    out = render(result, "text", source=lambda path: [f"from reader {path}"])
    assert "1 | from reader booking/app.py" in out


def test_control_characters_never_reach_the_terminal(
    project: Path, make_finding: MakeFinding
) -> None:
    finding = make_finding(line=1, column=1, end_line=1, message="bad\x1b[31m")
    result = CheckResult(root=project, findings=[finding], files=1)
    out = render(result, "text", source=lambda _: ["x = '\x1b]0;pwned\x07'"])
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "x = '\N{REPLACEMENT CHARACTER}]0;pwned\N{REPLACEMENT CHARACTER}'" in out


def test_color_adds_ansi_styles_and_plain_has_none(full_result: CheckResult) -> None:
    plain = render(full_result, "text")
    colored = render(full_result, "text", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in colored
    assert "remote-call-without-timeout" in colored


def test_message_with_brackets_is_not_read_as_markup(
    project: Path, make_finding: MakeFinding
) -> None:
    finding = make_finding(message="call [bold]x[/bold] failed")
    result = CheckResult(root=project, findings=[finding], files=1)
    assert "call [bold]x[/bold] failed" in render(result, "text", color=True)


def test_fix_and_service_lines_only_when_set(project: Path, make_finding: MakeFinding) -> None:
    finding = make_finding(fix="", service=None)
    out = render(CheckResult(root=project, findings=[finding], files=1), "text")
    assert "fix:" not in out
    assert "service:" not in out


def test_summary_line_wording(make_finding: MakeFinding) -> None:
    root = Path(".")
    assert summary_line(CheckResult(root=root, files=14)) == "No findings in 14 files."
    one = CheckResult(root=root, findings=[make_finding()], files=1)
    assert summary_line(one) == "Found 1 finding (1 error, 0 warnings) in 1 file."
    silenced = CheckResult(root=root, suppressed=[make_finding().silenced(None)] * 2, files=3)
    assert summary_line(silenced) == "No findings in 3 files; 2 suppressed."


def test_no_findings_output_is_just_the_summary(project: Path) -> None:
    assert render(CheckResult(root=project, files=2), "text") == "No findings in 2 files.\n"


def test_rule_counts_are_sorted_and_aligned(
    make_finding: MakeFinding, retry_rule: type[Rule]
) -> None:
    findings = [
        make_finding(retry_rule),
        make_finding(),
        make_finding(line=7),
        make_finding(retry_rule, line=2),
        make_finding(retry_rule, line=3),
    ]
    assert rule_counts(findings) == [
        "SP101 remote-call-without-timeout  2",
        "SP201 unbounded-retry              3",
    ]


def test_diagnostic_without_line(project: Path) -> None:
    result = CheckResult(root=project, diagnostics=[Diagnostic("x.py", "not UTF-8")], files=1)
    assert "warning: x.py: not UTF-8\n" in render(result, "text")


def test_default_reader_refuses_paths_outside_root(
    project: Path, make_finding: MakeFinding
) -> None:
    (project.parent / "secret.py").write_text("TOKEN = 'hunter2'\n", encoding="utf-8")
    escaping = replace(make_finding(line=1, column=1, end_line=1), path="../secret.py")
    out = render(CheckResult(root=project, findings=[escaping], files=1), "text")
    assert "../secret.py:1:1: SP101" in out
    assert "hunter2" not in out
