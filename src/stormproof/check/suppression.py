"""`# stormproof: ignore[SP101] -- reason`: silencing a finding on its line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stormproof.check.finding import Finding

_COMMENT = re.compile(
    r"#\s*stormproof:\s*ignore(?:\[(?P<codes>[^\]]*)\])?(?:\s+--\s*(?P<reason>.*?))?\s*$"
)


@dataclass(frozen=True, slots=True)
class Suppression:
    codes: frozenset[str] | None  # None: every rule
    reason: str | None

    def covers(self, finding: Finding) -> bool:
        return self.codes is None or any(
            finding.rule.startswith(code) or finding.name == code.lower() for code in self.codes
        )


def parse_suppressions(source: str) -> dict[int, Suppression]:
    """Suppression comments by 1-based line number (works for Python and YAML alike)."""
    if "stormproof:" not in source:
        return {}
    found: dict[int, Suppression] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        if "stormproof:" not in line:
            continue
        match = _COMMENT.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        parsed = (
            frozenset(c.strip().upper() for c in codes.split(",") if c.strip())
            if codes is not None
            else None
        )
        found[number] = Suppression(parsed or None, match.group("reason") or None)
    return found


def apply_suppressions(
    findings: list[Finding], by_path: dict[str, dict[int, Suppression]]
) -> tuple[list[Finding], list[Finding]]:
    """Split findings into those that stand and those silenced (with their justification)."""
    kept: list[Finding] = []
    silenced: list[Finding] = []
    for finding in findings:
        suppression = by_path.get(finding.path, {}).get(finding.line)
        if suppression is not None and suppression.covers(finding):
            silenced.append(finding.silenced(suppression.reason))
        else:
            kept.append(finding)
    return kept, silenced
