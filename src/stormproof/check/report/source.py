"""Reading the checked files back, for code frames and fingerprints."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable
from pathlib import Path, PurePosixPath

#: Returns the lines of a file named as in a finding (relative to the result's
#: root), or None when the file cannot be read.
SourceReader = Callable[[str], list[str] | None]

# Python numbers lines by \n, \r\n and \r only; str.splitlines() also splits on
# form feeds and Unicode separators, which would shift every later line number.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def decode_source(data: bytes) -> str:
    """Decode Python source as the interpreter would (BOM, coding cookie), never failing."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # an unknown or contradictory coding cookie
        encoding = "utf-8"
    return data.decode(encoding, errors="replace")


def read_source_from(root: Path) -> SourceReader:
    """A reader for files under `root`, caching each file's lines.

    A path that is absolute or climbs out of `root` with `..` is refused: a report
    must never print a file the check did not look at.
    """
    cache: dict[str, list[str] | None] = {}

    def read(path: str) -> list[str] | None:
        if path not in cache:
            cache[path] = _read_lines(root, path)
        return cache[path]

    return read


def _read_lines(root: Path, path: str) -> list[str] | None:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or Path(path).is_absolute():
        return None
    try:
        return split_lines(decode_source((root / relative).read_bytes()))
    except (OSError, ValueError):  # missing, a directory, unreadable, or a NUL in the name
        return None
