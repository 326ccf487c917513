"""Tiny stdlib services that the cluster and process tests start as real processes, and the
checks that nothing of them is left running."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

SERVICE = Path(__file__).with_name("service.py")


def _state(pid: int) -> str | None:
    """The process's state letter from /proc (Z: a zombie), or None when there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    return stat.rpartition(")")[2].split()[0]


def reaped(pid: int) -> bool:
    """Whether our child ``pid`` is gone and reaped: a zombie child of ours still answers."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def gone(pid: int) -> bool:
    """Whether ``pid`` (not necessarily our child) no longer runs. A zombie counts as gone:
    whoever it was reparented to reaps it, or not (a container's init may never)."""
    return _state(pid) in (None, "Z")


def group_gone(pgid: int) -> bool:
    """Whether no live process is left in process group ``pgid``."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return False
    return True


def soon(condition: Callable[[], bool], within_s: float = 2.0) -> bool:
    """Whether ``condition`` holds within ``within_s``. For processes that are not our
    children: a SIGKILL sent to them takes effect when the kernel next schedules them."""
    give_up = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > give_up:
            return False
        time.sleep(0.01)
    return True
