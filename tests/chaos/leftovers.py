"""Finding processes a chaos run left behind: any live process working in a directory."""

from __future__ import annotations

import os
from pathlib import Path


def processes_in(root: Path) -> list[int]:
    """Pids of live processes whose working directory is ``root`` or below it."""
    prefix = str(root.resolve())
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:  # gone, a zombie, or not ours to look at
            continue
        if cwd == prefix or cwd.startswith(prefix + os.sep):
            found.append(int(entry.name))
    return found
