"""The outcome of one check run, as handed to the reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from stormproof.check.finding import SEVERITY_RANK, Finding
from stormproof.check.rule import Rule


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A file that could not be checked (or was checked only in part), and why.

    Diagnostics never stop a run: the other files are still checked.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass(slots=True)
class CheckResult:
    root: Path
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0
    rules: list[type[Rule]] = field(default_factory=list)
    # Paths named on the command line that do not exist: an input error (exit 2).
    input_errors: list[str] = field(default_factory=list)
    # The effective --fail-on (option, else manifest, else pyproject), for callers that exit on it.
    fail_on: str = "warning"

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def summary(self) -> dict[str, int]:
        return {
            "files": self.files,
            "findings": len(self.findings),
            "errors": self.errors,
            "warnings": self.warnings,
            "suppressed": len(self.suppressed),
        }

    def fails(self, fail_on: str) -> bool:
        """Whether any finding is at or above `fail_on` (`error`, `warning` or `never`)."""
        if fail_on == "never":
            return False
        threshold = SEVERITY_RANK[fail_on]
        return any(SEVERITY_RANK[f.severity] >= threshold for f in self.findings)
