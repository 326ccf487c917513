"""Paths relative to the repository root, for the formats GitHub reads.

Findings are relative to the manifest's directory (DESIGN.md). GitHub code
scanning and workflow annotations resolve paths against the repository root,
so when the manifest sits in a subdirectory those two formats prefix it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePosixPath

from stormproof.check.result import CheckResult, Diagnostic


def repository_root(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding a `.git` entry."""
    current = start.resolve()
    for directory in (current, *current.parents):
        if (directory / ".git").exists():
            return directory
    return None


def relative_to_repository(result: CheckResult) -> CheckResult:
    """The same result with paths relative to the enclosing git repository, if any."""
    repository = repository_root(result.root)
    if repository is None or repository == result.root.resolve():
        return result
    prefix = PurePosixPath(result.root.resolve().relative_to(repository).as_posix())

    def moved(path: str) -> str:
        return (prefix / path).as_posix()

    return replace(
        result,
        root=repository,
        findings=[replace(f, path=moved(f.path)) for f in result.findings],
        suppressed=[replace(f, path=moved(f.path)) for f in result.suppressed],
        diagnostics=[
            Diagnostic(moved(d.path), d.message, d.line, d.column) for d in result.diagnostics
        ],
    )
