"""What a rule reports: one problem at one place in one file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

Severity = Literal["error", "warning"]
Category = Literal[
    "timeout",
    "retry",
    "circuit-breaker",
    "idempotency",
    "saga",
    "tracing",
    "concurrency",
    "architecture",
    "consistency",
    "error-handling",
]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
SEVERITY_RANK: dict[str, int] = {"warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding, in the shape DESIGN.md fixes for `--format json`.

    Paths are relative to the manifest's directory (or the working directory
    without one) and `/`-separated; lines and columns are 1-based.
    """

    rule: str
    name: str
    category: str
    severity: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    service: str | None
    message: str
    fix: str
    # Set when a `# stormproof: ignore[...]` comment silences the finding.
    suppressed: bool = field(default=False, compare=False)
    justification: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["suppressed"]
        if not self.suppressed:
            del data["justification"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(**data)

    def silenced(self, justification: str | None) -> Finding:
        return replace(self, suppressed=True, justification=justification)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)
