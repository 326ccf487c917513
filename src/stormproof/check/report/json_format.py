"""`--format json`: the machine-readable shape DESIGN.md fixes."""

from __future__ import annotations

import json
from typing import Any

from stormproof import __version__
from stormproof.check.report.ordering import sorted_diagnostics, sorted_findings
from stormproof.check.result import CheckResult, Diagnostic


def render_json(result: CheckResult) -> str:
    document: dict[str, Any] = {
        "tool": "stormproof",
        "version": __version__,
        "findings": [finding.to_json() for finding in sorted_findings(result.findings)],
        "summary": result.summary(),
        "suppressed": [finding.to_json() for finding in sorted_findings(result.suppressed)],
        "diagnostics": [_diagnostic_json(d) for d in sorted_diagnostics(result.diagnostics)],
    }
    return json.dumps(document, indent=2) + "\n"


def _diagnostic_json(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "path": diagnostic.path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "message": diagnostic.message,
    }
