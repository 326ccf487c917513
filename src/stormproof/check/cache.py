"""A content-hash cache of per-file results under `.stormproof/cache/`.

One JSON file per configuration signature (tool version and source, selected
rules, manifest content, settings), mapping each file's path to its stat key,
content hash and results. A file whose size and mtime are unchanged is not even
read; one whose content hash is unchanged is not parsed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CACHE_DIR = Path(".stormproof") / "cache"


@dataclass(slots=True)
class FileResult:
    """Everything one file contributes to a run; what the cache stores."""

    findings: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    suppressions: dict[str, list[Any]] = field(default_factory=dict)  # line → [codes|None, reason]
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    # False when the prefilter skipped the file unparsed.
    parsed: bool = True
    # Module-level clients the file defines (name → class), what its imports refer to,
    # and the imported clients it was analysed with (see linking.py).
    exports: dict[str, str] = field(default_factory=dict)
    imports: list[str] = field(default_factory=list)
    linked: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Entry:
    stat: list[int]
    sha: str
    result: FileResult


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def stat_key(stat: os.stat_result) -> list[int]:
    return [stat.st_mtime_ns, stat.st_size]


class ResultCache:
    def __init__(self, root: Path, signature: str, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.path = root / CACHE_DIR / f"{signature}.json"
        self._entries: dict[str, _Entry] = {}
        self._dirty = False
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            self._entries = {
                path: _Entry(e["stat"], e["sha"], FileResult(**e["result"]))
                for path, e in raw.items()
            }
        except (OSError, ValueError, KeyError, TypeError):
            # A missing or damaged cache is an empty one.
            self._entries = {}

    def by_stat(self, path: str, stat: list[int]) -> FileResult | None:
        entry = self._entries.get(path) if self.enabled else None
        return entry.result if entry is not None and entry.stat == stat else None

    def by_hash(self, path: str, stat: list[int], sha: str) -> FileResult | None:
        entry = self._entries.get(path) if self.enabled else None
        if entry is None or entry.sha != sha:
            return None
        if entry.stat != stat:
            entry.stat = stat
            self._dirty = True
        return entry.result

    def put(self, path: str, stat: list[int], sha: str, result: FileResult) -> None:
        if self.enabled:
            self._entries[path] = _Entry(stat, sha, result)
            self._dirty = True

    def update(self, path: str, result: FileResult) -> None:
        """Replace the result of a file already in the cache (same content, new links)."""
        entry = self._entries.get(path) if self.enabled else None
        if entry is not None:
            entry.result = result
            self._dirty = True

    def save(self) -> None:
        if not (self.enabled and self._dirty):
            return
        data = {
            path: {"stat": e.stat, "sha": e.sha, "result": asdict(e.result)}
            for path, e in self._entries.items()
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.path.parent.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# stormproof's check cache\ncache/\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError:
            # A read-only tree still gets checked; it just is not cached.
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)
