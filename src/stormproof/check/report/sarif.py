"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from stormproof import __version__
from stormproof.check.finding import Finding
from stormproof.check.report.ordering import sorted_diagnostics, sorted_findings
from stormproof.check.report.rule_page import clean_text, rule_markdown, rule_plain_text
from stormproof.check.report.source import SourceReader
from stormproof.check.result import CheckResult, Diagnostic
from stormproof.check.rule import Rule
from stormproof.check.rules import UnknownRuleError, get_rule

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/stormproof/stormproof"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "stormproofFingerprint/v1"
#: How often a rule's findings are real problems; SARIF viewers rank and filter by it.
DEFAULT_PRECISION = "high"
LEVELS = {"error": "error", "warning": "warning"}


def render_sarif(result: CheckResult, *, source: SourceReader) -> str:
    findings = sorted_findings([*result.findings, *result.suppressed])
    descriptors = _rule_descriptors(result.rules, findings)
    rule_index = {descriptor["id"]: index for index, descriptor in enumerate(descriptors)}
    # Identical findings on identical lines of one file are told apart by their order.
    occurrences: Counter[tuple[str, str, str]] = Counter()
    results = []
    for finding in findings:
        line_text = _line_text(finding, source)
        occurrence_key = (finding.rule, finding.path, normalize_line(line_text))
        finding_print = fingerprint(
            finding.rule, finding.path, line_text, occurrences[occurrence_key]
        )
        occurrences[occurrence_key] += 1
        results.append(_result(finding, rule_index[finding.rule], finding_print))
    run = {
        "tool": {
            "driver": {
                "name": "stormproof",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    _notification(d) for d in sorted_diagnostics(result.diagnostics)
                ],
            }
        ],
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(result.root)}},
        # Finding columns count characters, not UTF-16 code units (the SARIF default).
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": clean_text(rule.summary)},
        "fullDescription": {"text": clean_text(rule.why)},
        "help": {"text": rule_plain_text(rule), "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": [rule.category],
            "precision": getattr(rule, "precision", DEFAULT_PRECISION),
        },
    }


def normalize_line(text: str) -> str:
    """The line as a fingerprint sees it: re-indenting or re-spacing it changes nothing."""
    return " ".join(text.split())


def fingerprint(rule: str, path: str, line_text: str, occurrence: int) -> str:
    """A key that survives edits above the finding: it holds no line number.

    `occurrence` tells apart identical findings on identical lines in one file.
    """
    key = "\0".join((rule, path, normalize_line(line_text), str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", errors="surrogateescape")).hexdigest()


def _rule_descriptors(rules: list[type[Rule]], findings: list[Finding]) -> list[dict[str, Any]]:
    by_id: dict[str, dict[str, Any]] = {rule.id: rule_descriptor(rule) for rule in rules}
    for finding in findings:
        if finding.rule not in by_id:
            by_id[finding.rule] = _descriptor_for_unregistered(finding)
    return [by_id[rule_id] for rule_id in sorted(by_id)]


def _descriptor_for_unregistered(finding: Finding) -> dict[str, Any]:
    try:
        return rule_descriptor(get_rule(finding.rule))
    except UnknownRuleError:
        # A finding from a rule the registry does not know (a plugin, or an older
        # result read back): describe it from the finding so every ruleId resolves.
        text = f"{finding.rule} {finding.name}"
        return {
            "id": finding.rule,
            "name": finding.name,
            "shortDescription": {"text": text},
            "fullDescription": {"text": text},
            "help": {"text": finding.fix or text},
            "defaultConfiguration": {"level": LEVELS[finding.severity]},
            "properties": {"tags": [finding.category], "precision": DEFAULT_PRECISION},
        }


def _line_text(finding: Finding, source: SourceReader) -> str:
    lines = source(finding.path)
    if lines is not None and 1 <= finding.line <= len(lines):
        return lines[finding.line - 1]
    # Without the file, the message is the most line-independent text there is.
    return finding.message


def _result(finding: Finding, rule_index: int, finding_print: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical_location(finding)}],
        "partialFingerprints": {FINGERPRINT_KEY: finding_print},
    }
    properties = {"fix": finding.fix, "service": finding.service}
    properties = {key: value for key, value in properties.items() if value}
    if properties:
        result["properties"] = properties
    if finding.suppressed:
        suppression: dict[str, str] = {"kind": "inSource"}
        if finding.justification:
            suppression["justification"] = finding.justification
        result["suppressions"] = [suppression]
    return result


def _physical_location(finding: Finding) -> dict[str, Any]:
    start_line = max(1, finding.line)
    start_column = max(1, finding.column)
    # SARIF rejects a region that ends before it starts; an empty one is allowed.
    end_line = max(start_line, finding.end_line)
    end_column = max(1, finding.end_column)
    if end_line == start_line:
        end_column = max(end_column, start_column)
    return {
        "artifactLocation": {"uri": _path_uri(finding.path), "uriBaseId": SRCROOT},
        "region": {
            "startLine": start_line,
            "startColumn": start_column,
            "endLine": end_line,
            "endColumn": end_column,
        },
    }


def _notification(diagnostic: Diagnostic) -> dict[str, Any]:
    region: dict[str, int] = {}
    if diagnostic.line is not None:
        region["startLine"] = max(1, diagnostic.line)
        if diagnostic.column is not None:
            region["startColumn"] = max(1, diagnostic.column)
    location: dict[str, Any] = {
        "artifactLocation": {"uri": _path_uri(diagnostic.path), "uriBaseId": SRCROOT}
    }
    if region:
        location["region"] = region
    return {
        "level": "warning",
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": location}],
    }


def _path_uri(path: str) -> str:
    # A relative URI reference: spaces, `#`, `%` and non-ASCII must be percent-encoded.
    return quote(path, safe="/", errors="surrogateescape")


def _directory_uri(root: Path) -> str:
    uri = root.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"
