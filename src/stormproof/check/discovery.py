"""Which files a check run looks at.

Directories are walked without following symlinks (so a symlink loop cannot
trap the walk); `.gitignore` files are honoured at every level, as are the
`exclude` globs and a set of directories nobody wants checked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass(slots=True)
class Discovery:
    files: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # A path named on the command line that does not exist: an input error.
    missing: list[str] = field(default_factory=list)


def _spec(lines: list[str]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(lines)


def discover(paths: list[Path], root: Path, exclude: list[str]) -> Discovery:
    """The Python files under `paths`, sorted, each once."""
    found = Discovery()
    excluded = _spec(exclude)
    seen: set[Path] = set()

    def add(path: Path) -> None:
        # Walked files are real files under a real directory, so the absolute path
        # identifies them; only a symlink named on the command line needs resolving.
        key = path.resolve() if path.is_symlink() else path
        if key not in seen:
            seen.add(key)
            found.files.append(path)

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
            for file in _walk(path, root, excluded, found.diagnostics):
                add(file)
        elif not excluded.match_file(_display(path, root)):
            add(path)
    found.files.sort()
    return found


def _walk(
    top: Path, root: Path, excluded: pathspec.PathSpec, diagnostics: list[Diagnostic]
) -> list[Path]:
    files: list[Path] = []
    # (directory, spec) for every .gitignore met on the way down.
    ignores: list[tuple[str, pathspec.PathSpec]] = _parent_gitignores(top, root)

    def onerror(error: OSError) -> None:
        diagnostics.append(Diagnostic(_display(Path(error.filename), root), error.strerror))

    for dirpath, dirnames, filenames in os.walk(top, onerror=onerror):
        ignores = [(d, s) for d, s in ignores if dirpath == d or dirpath.startswith(d + os.sep)]
        if ".gitignore" in filenames:
            spec = _read_gitignore(Path(dirpath) / ".gitignore")
            if spec is not None:
                ignores.append((dirpath, spec))

        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIPPED_DIRS
            and not d.endswith(".egg-info")
            and not os.path.islink(os.path.join(dirpath, d))
            and not _ignored(os.path.join(dirpath, d), True, root, excluded, ignores)
        )
        for name in filenames:
            full_name = os.path.join(dirpath, name)
            if not name.endswith(".py") or _ignored(full_name, False, root, excluded, ignores):
                continue
            full = Path(full_name)
            if full.is_symlink() and not full.exists():
                diagnostics.append(
                    Diagnostic(_display(full, root), "broken symlink or symlink loop; skipped")
                )
                continue
            files.append(full)
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
