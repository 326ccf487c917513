"""Running a few rules over a small tree written for one test."""

from __future__ import annotations

import textwrap
from pathlib import Path

from stormproof.check import CheckOptions, Finding, Rule, run_check


def check_files(
    tmp_path: Path,
    files: dict[str, str],
    *,
    rules: list[type[Rule]],
    manifest: str | None = None,
) -> list[Finding]:
    """Write `files` (path → source) under `tmp_path`, with `manifest` as stormproof.yaml
    when given, and check the tree with `rules`. A file that cannot be checked fails the test."""
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    options = CheckOptions(rules=rules, cache=False, use_manifest=manifest is not None)
    if manifest is not None:
        (tmp_path / "stormproof.yaml").write_text(textwrap.dedent(manifest), encoding="utf-8")
        options.manifest = tmp_path / "stormproof.yaml"
    result = run_check([tmp_path], options)
    assert not result.diagnostics, result.diagnostics
    return result.findings


def lines(found: list[Finding]) -> list[tuple[int, str]]:
    return [(f.line, f.rule) for f in found]
