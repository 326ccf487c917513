"""`--format github`: GitHub Actions workflow commands, shown as annotations on the diff."""

from __future__ import annotations

from stormproof.check.finding import Finding
from stormproof.check.report.ordering import sorted_diagnostics, sorted_findings
from stormproof.check.result import CheckResult, Diagnostic

COMMANDS = {"error": "error", "warning": "warning"}


def render_github(result: CheckResult) -> str:
    commands = [_finding_command(f) for f in sorted_findings(result.findings)]
    commands += [_diagnostic_command(d) for d in sorted_diagnostics(result.diagnostics)]
    return "".join(command + "\n" for command in commands)


def escape_data(text: str) -> str:
    """The message part, escaped as @actions/core does (`%` first, or it escapes twice)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A `key=value` part: also `:` and `,`, which would end the value early."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{command} {props}::{escape_data(message)}"


def _finding_command(finding: Finding) -> str:
    properties: dict[str, object] = {
        "file": finding.path,
        "line": finding.line,
        "col": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
        "title": f"{finding.rule} {finding.name}",
    }
    message = f"{finding.message}\nfix: {finding.fix}" if finding.fix else finding.message
    return workflow_command(COMMANDS[finding.severity], properties, message)


def _diagnostic_command(diagnostic: Diagnostic) -> str:
    properties: dict[str, object] = {"file": diagnostic.path}
    if diagnostic.line is not None:
        properties["line"] = diagnostic.line
        if diagnostic.column is not None:
            properties["col"] = diagnostic.column
    properties["title"] = "stormproof could not check this file"
    return workflow_command("warning", properties, diagnostic.message)
