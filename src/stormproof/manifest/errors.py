"""Where a manifest problem is, and the error that carries it."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class SourcePosition(NamedTuple):
    """A place in a text file; both numbers are 1-based."""

    line: int
    column: int


class ManifestError(Exception):
    """A manifest that cannot be used, and the first place that says why.

    `str()` is one line, `path:line:column: message`, so editors and terminals
    can jump to it. `errors` holds every problem found (the first is this one);
    `line` and `column` are None only when the file itself cannot be read.
    """

    def __init__(self, path: Path, message: str, position: SourcePosition | None = None) -> None:
        self.path = path
        self.message = message
        self.line = position.line if position else None
        self.column = position.column if position else None
        self.errors: list[ManifestError] = [self]
        super().__init__(self.location + ": " + message)

    def __reduce__(self) -> tuple[type[ManifestError], tuple[Path, str, SourcePosition | None]]:
        # Exceptions pickle their `args`, which here is only the formatted line.
        return (type(self), (self.path, self.message, self.position))

    @property
    def location(self) -> str:
        where = display_path(self.path)
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        return where

    @staticmethod
    def collect(errors: list[ManifestError]) -> ManifestError:
        """The first of several errors, carrying all of them."""
        first = errors[0]
        first.errors = errors
        return first

    @property
    def position(self) -> SourcePosition | None:
        if self.line is None or self.column is None:
            return None
        return SourcePosition(self.line, self.column)


def display_path(path: Path) -> str:
    """The path as a person would type it: relative to the working directory when inside it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
