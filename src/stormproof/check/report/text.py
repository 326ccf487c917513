"""`--format text`: findings for a person at a terminal, in the style of ruff."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

from stormproof.check.finding import Finding
from stormproof.check.report.ordering import sorted_diagnostics, sorted_findings
from stormproof.check.report.source import SourceReader
from stormproof.check.result import CheckResult

CONTEXT_LINES = 2
TAB_SIZE = 4
SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow"}
GUTTER_STYLE = "blue"
# Wide enough that rich never wraps; soft_wrap keeps long lines whole anyway.
_CONSOLE_WIDTH = 200
# Checked code is untrusted: a stray escape sequence in a source line or message
# must not reach the terminal. Each control character becomes one visible one, so
# columns still line up.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class FrameRow:
    """One row of a code frame: a numbered source line, or the underline (number None)."""

    number: int | None
    code: str


def render_text(result: CheckResult, *, color: bool, source: SourceReader) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        width=_CONSOLE_WIDTH,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )
    for finding in sorted_findings(result.findings):
        for line in _finding_block(finding, source(finding.path)):
            console.print(line)
        console.print()
    diagnostics = sorted_diagnostics(result.diagnostics)
    for diagnostic in diagnostics:
        console.print(Text.assemble(("warning", "bold yellow"), f": {printable(str(diagnostic))}"))
    if diagnostics:
        console.print()
    counts = rule_counts(result.findings)
    for line in counts:
        console.print(line)
    if counts:
        console.print()
    console.print(Text(summary_line(result), style="bold"))
    return buffer.getvalue()


def printable(text: str) -> str:
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)


def summary_line(result: CheckResult) -> str:
    files = _plural(result.files, "file")
    suppressed = f"; {len(result.suppressed)} suppressed" if result.suppressed else ""
    if not result.findings:
        return f"No findings in {files}{suppressed}."
    return (
        f"Found {_plural(len(result.findings), 'finding')} "
        f"({_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')}) "
        f"in {files}{suppressed}."
    )


def rule_counts(findings: list[Finding]) -> list[str]:
    """`SP101 remote-call-without-timeout  4`, one line per rule, by id, counts aligned."""
    counts = Counter((finding.rule, finding.name) for finding in findings)
    labels = {key: f"{key[0]} {key[1]}" for key in counts}
    width = max((len(label) for label in labels.values()), default=0)
    return [f"{labels[key]:<{width}}  {counts[key]}" for key in sorted(counts)]


def code_frame(lines: list[str], finding: Finding) -> list[FrameRow]:
    """The finding's line with CONTEXT_LINES around it, and `^` under its span.

    Columns are 1-based and `end_column` is exclusive, as in ruff and SARIF. A
    span that runs onto later lines is underlined to the end of its first line.
    Empty when the line is not in the file (it changed since the check ran).
    """
    if not 1 <= finding.line <= len(lines):
        return []
    first = max(1, finding.line - CONTEXT_LINES)
    last = min(len(lines), finding.line + CONTEXT_LINES)
    rows = []
    for number in range(first, last + 1):
        rows.append(FrameRow(number, printable(lines[number - 1]).expandtabs(TAB_SIZE).rstrip()))
        if number == finding.line:
            rows.append(FrameRow(None, _underline(lines[number - 1], finding)))
    return rows


def _underline(line: str, finding: Finding) -> str:
    end_column = finding.end_column if finding.end_line == finding.line else len(line) + 1
    # Measure on the tab-expanded text so the carets sit under what is printed.
    start = len(line[: finding.column - 1].expandtabs(TAB_SIZE))
    stop = len(line[: end_column - 1].expandtabs(TAB_SIZE))
    return " " * start + "^" * max(1, stop - start)


def _finding_block(finding: Finding, lines: list[str] | None) -> list[Text]:
    severity_style = SEVERITY_STYLE.get(finding.severity, "bold")
    block = [
        Text.assemble(
            (printable(finding.path), "bold"),
            f":{finding.line}:{finding.column}: ",
            (finding.rule, severity_style),
            " ",
            (f"[{finding.severity}]", severity_style),
            f" {finding.name}",
        ),
        Text(f"  {printable(finding.message)}"),
    ]
    block.extend(_frame_lines(code_frame(lines or [], finding), severity_style))
    if finding.fix:
        block.append(Text.assemble("  ", ("fix", "cyan"), f": {printable(finding.fix)}"))
    if finding.service:
        block.append(Text.assemble("  ", ("service", "cyan"), f": {printable(finding.service)}"))
    return block


def _frame_lines(rows: list[FrameRow], underline_style: str) -> list[Text]:
    if not rows:
        return []
    width = max(len(str(row.number)) for row in rows if row.number is not None)
    bar = Text(f"  {'':>{width}} |", style=GUTTER_STYLE)
    lines = [bar]
    for row in rows:
        if row.number is None:
            lines.append(
                Text.assemble((f"  {'':>{width}} | ", GUTTER_STYLE), (row.code, underline_style))
            )
        else:
            gutter = f"  {row.number:>{width}} |"
            lines.append(Text.assemble((gutter, GUTTER_STYLE), f" {row.code}" if row.code else ""))
    lines.append(bar)
    return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
