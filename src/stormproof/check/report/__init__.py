"""Rendering a check result: text for people, JSON and SARIF for tools, GitHub annotations."""

from __future__ import annotations

from stormproof.check.report.github import render_github
from stormproof.check.report.json_format import render_json
from stormproof.check.report.repository import relative_to_repository
from stormproof.check.report.sarif import render_sarif
from stormproof.check.report.source import SourceReader, read_source_from
from stormproof.check.report.text import render_text
from stormproof.check.result import CheckResult

FORMATS = ("text", "json", "sarif", "github")


class UnknownFormatError(ValueError):
    pass


def render(
    result: CheckResult,
    fmt: str,
    *,
    color: bool = False,
    source: SourceReader | None = None,
) -> str:
    """The result in format `fmt` (one of FORMATS).

    `source(path)` gives a file's lines for code frames and fingerprints; by
    default files are read from under `result.root`. SARIF and GitHub
    annotations carry paths relative to the enclosing git repository, which is
    what GitHub resolves them against.
    """
    if fmt in ("sarif", "github"):
        result = relative_to_repository(result)
    read = source or read_source_from(result.root)
    if fmt == "text":
        return render_text(result, color=color, source=read)
    if fmt == "json":
        return render_json(result)
    if fmt == "sarif":
        return render_sarif(result, source=read)
    if fmt == "github":
        return render_github(result)
    raise UnknownFormatError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")


__all__ = ["FORMATS", "SourceReader", "UnknownFormatError", "render"]
