"""A parsed file for the analysis tests of routes, effects and cross-module calls."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from stormproof.check.context import FileContext, SystemModel


def context(source: str, relpath: str = "payments/app.py") -> FileContext:
    """`source` (dedented) as the file `relpath` of a project with no manifest."""
    source = textwrap.dedent(source)
    return FileContext(
        path=Path("/x") / relpath,
        relpath=relpath,
        source=source,
        tree=ast.parse(source),
        system=SystemModel(None),
        service=None,
    )
