"""Rendering a check result: text for people, JSON and SARIF for tools, GitHub annotations."""

from __future__ import annotations

import importlib

from stormproof.check.report.repository import relative_to_repository
from stormproof.check.report.source import SourceReader, read_source_from
from stormproof.check.result import CheckResult

FORMATS = ("text", "json", "sarif", "github")
_MODULES = {"text": "text", "json": "json_format", "sarif": "sarif", "github": "github"}


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
    if fmt not in FORMATS:
        raise UnknownFormatError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    # Each format is imported when used: the text format's rich is not cheap to load.
    module = importlib.import_module(f"stormproof.check.report.{_MODULES[fmt]}")
    if fmt == "text":
        return module.render_text(result, color=color, source=read)
    if fmt == "sarif":
        return module.render_sarif(result, source=read)
    return getattr(module, f"render_{fmt}")(result)


__all__ = ["FORMATS", "SourceReader", "UnknownFormatError", "render"]
