"""Clients shared between modules of a project: `from app.http import client`.

Generated services often build one HTTP client in a module of its own and
import it everywhere. Each file is analysed on its own (in parallel, cached),
so the engine links in a second step: every analysed file exports its
module-level clients; a file that imports one of them is analysed again with
those names known, and the cache remembers which links a result was made with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath

from stormproof.check.cache import FileResult


def module_names(relpath: str) -> list[str]:
    """The dotted names a file may be imported by: `svc/app/http.py` → svc.app.http, app.http, http.

    Every suffix counts because a service is often run from its own directory.
    """
    parts = list(PurePosixPath(relpath).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return [".".join(parts[i:]) for i in range(len(parts))]


def _absolute(reference: str, relpath: str) -> str:
    """Resolve `.http.client` against the importing file's package."""
    dots = len(reference) - len(reference.lstrip("."))
    if not dots:
        return reference
    package = list(PurePosixPath(relpath).parent.parts)
    base = package[: len(package) - (dots - 1)] if dots > 1 else package
    rest = reference[dots:]
    return ".".join([*base, rest] if rest else base)


class ExportTable:
    """Module-level clients of every analysed file, by every name the module goes by."""

    def __init__(self, results: Mapping[str, FileResult]) -> None:
        self._by_module: dict[str, list[tuple[str, dict[str, str]]]] = {}
        for relpath, result in results.items():
            if result.exports:
                for name in module_names(relpath):
                    self._by_module.setdefault(name, []).append((relpath, result.exports))

    def __bool__(self) -> bool:
        return bool(self._by_module)

    def exported_names(self) -> set[str]:
        return {name for entries in self._by_module.values() for _, e in entries for name in e}

    def mention_pattern(self) -> re.Pattern[bytes]:
        """Bytes that a file importing one of the exported clients must contain."""
        names = sorted(self.exported_names())
        return re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")

    def links_for(self, relpath: str, references: list[str]) -> dict[str, str]:
        """For one file's import references: the qualname it uses → the client class behind it."""
        links: dict[str, str] = {}
        for reference in references:
            absolute = _absolute(reference, relpath)
            module, _, name = absolute.rpartition(".")
            exports = self._exports_of(module, relpath)
            if exports is not None and name in exports:
                links[reference] = exports[name]
            for exported, cls in (self._exports_of(absolute, relpath) or {}).items():
                links[f"{reference}.{exported}"] = cls
        return links

    def _exports_of(self, module: str, importer: str) -> dict[str, str] | None:
        """The exports of `module`; with several candidates, the one nearest the importer."""
        candidates = [(p, e) for p, e in self._by_module.get(module, []) if p != importer]
        if not candidates:
            return None
        importer_parts = PurePosixPath(importer).parts
        return max(
            candidates, key=lambda c: _shared_prefix(PurePosixPath(c[0]).parts, importer_parts)
        )[1]


def _shared_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count
