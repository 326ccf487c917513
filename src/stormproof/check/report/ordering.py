"""The one order every format lists findings and diagnostics in."""

from __future__ import annotations

from stormproof.check.finding import Finding
from stormproof.check.result import Diagnostic


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda finding: finding.sort_key)


def sorted_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.path, d.line or 0, d.column or 0, d.message))
