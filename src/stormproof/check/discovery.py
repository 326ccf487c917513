"""Which files a check run looks at.

Directories are walked without following symlinks (so a symlink loop cannot
trap the walk); `.gitignore` files are honoured at every level, as are the
`exclude` globs and a set of directories nobody wants checked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from stormproof.check.result import Diagnostic

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        "node_modules",
        ".stormproof",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
    }
)


def is_test_file(relpath: str) -> bool:
    """Test code by the usual conventions: tests/ or test/ directories, test_*.py, *_test.py."""
    path = PurePosixPath(relpath)
    name = path.name
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(part in ("tests", "test") for part in path.parts[:-1])
    )


@dataclass(slots=True)
class Discovery:
    files: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # A path named on the command line that does not exist: an input error.
    missing: list[str] = field(default_factory=list)
    # Walked files that are test code, judged by their path below the directory named.
    tests: set[Path] = field(default_factory=set)


def _spec(lines: list[str]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(lines)


def discover(paths: list[Path], root: Path, exclude: list[str]) -> Discovery:
    """The Python files under `paths`, sorted, each once."""
    found = Discovery()
    excluded = _spec(exclude)
    seen: set[str] = set()

    def add(path: str) -> None:
        if path not in seen:
            seen.add(path)
            found.files.append(Path(path))

    root = Path(os.path.abspath(root))
    for given in paths:
        path = Path(os.path.abspath(given))
        shown = given.as_posix()
        try:
            path.stat()
        except FileNotFoundError:
            if path.is_symlink():
                found.diagnostics.append(Diagnostic(shown, "broken symlink; skipped"))
            else:
                found.missing.append(shown)
                found.diagnostics.append(Diagnostic(shown, "no such file or directory"))
            continue
        except OSError as exc:  # ELOOP: a symlink loop
            found.diagnostics.append(Diagnostic(shown, f"cannot read: {exc.strerror}; skipped"))
            continue
        if path.is_dir():
            # Walked files are real files under real directories: their paths identify them.
            top = len(str(path)) + 1
            for file in _walk(str(path), root, excluded, found.diagnostics):
                add(file)
                if is_test_file(file[top:]):
                    found.tests.add(Path(file))
        elif not excluded.match_file(_display(path, root)):
            # A symlink named on the command line may point at a file walked already.
            add(str(path.resolve()) if path.is_symlink() else str(path))
    found.files.sort(key=str)
    return found


def _walk(
    top: str, root: Path, excluded: pathspec.PathSpec, diagnostics: list[Diagnostic]
) -> list[str]:
    """Python files under `top`, not following symlinked directories (so no loop can trap it)."""
    files: list[str] = []
    # Each directory still to read, with the (directory, spec) of every .gitignore above it.
    stack = [(top, _parent_gitignores(Path(top), root))]
    while stack:
        directory, ignores = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as exc:
            diagnostics.append(Diagnostic(_display(Path(directory), root), str(exc.strerror)))
            continue
        if any(entry.name == ".gitignore" for entry in entries):
            spec = _read_gitignore(Path(directory) / ".gitignore")
            if spec is not None:
                ignores = [*ignores, (directory, spec)]
        subdirectories = []
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                if not (
                    name in SKIPPED_DIRS
                    or name.endswith(".egg-info")
                    or _ignored(entry.path, True, root, excluded, ignores)
                ):
                    subdirectories.append(entry.path)
            elif name.endswith(".py") and not _ignored(entry.path, False, root, excluded, ignores):
                if entry.is_symlink() and not os.path.exists(entry.path):
                    message = "broken symlink or symlink loop; skipped"
                    diagnostics.append(Diagnostic(_display(Path(entry.path), root), message))
                    continue
                files.append(entry.path)
        stack.extend((d, ignores) for d in sorted(subdirectories, reverse=True))
    return files


def _ignored(
    full: str,
    is_dir: bool,
    root: Path,
    excluded: pathspec.PathSpec,
    ignores: list[tuple[str, pathspec.PathSpec]],
) -> bool:
    """Whether an `exclude` glob or a .gitignore on the way down covers `full`."""
    if not ignores and not excluded.patterns:
        return False
    suffix = "/" if is_dir else ""
    if excluded.match_file(_display(Path(full), root) + suffix):
        return True
    return any(
        spec.match_file(os.path.relpath(full, base).replace(os.sep, "/") + suffix)
        for base, spec in ignores
    )


def _parent_gitignores(top: Path, root: Path) -> list[tuple[str, pathspec.PathSpec]]:
    """The .gitignore files between the project root and `top`, which also apply under it."""
    found: list[tuple[str, pathspec.PathSpec]] = []
    try:
        relative = top.relative_to(root)
    except ValueError:
        return found
    current = root
    for part in relative.parts:
        spec = _read_gitignore(current / ".gitignore")
        if spec is not None:
            found.append((str(current), spec))
        current = current / part
    return found


def _read_gitignore(path: Path) -> pathspec.PathSpec | None:
    try:
        return _spec(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return None


def _display(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:
        return path.as_posix()
