"""A watchdog process that kills a run's services when stormproof dies without stopping them.

Ctrl-C, SIGTERM, errors and normal exits all tear the cluster down, but nothing in the
dying process runs on SIGKILL (an impatient ``kill -9``, the OOM killer, a CI job timeout):
the services would live on, holding their ports and data. The reaper is a small process of
its own, told the process group of every service as it starts. It waits on a pipe whose only
writer is stormproof; the kernel closes that pipe however stormproof ends, and if the reaper
reads end of file before the word that the services were stopped, it SIGKILLs every group
still on its list.

Why a process and not ``PR_SET_PDEATHSIG``: the parent-death signal reaches only the child
itself (a shell's or a reloader's children live on) and fires when the *thread* that
started the child ends, not the process.

The reaper leads a session of its own, so the Ctrl-C a terminal sends to stormproof's
process group does not reach it.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from typing import IO

# Lines on the pipe: "+PGID" watch a group, "-PGID" forget it (reaped by stormproof),
# "done" stormproof stopped everything itself. End of file without "done": kill what is left.
_SCRIPT = """
import os, signal, sys
groups = set()
for line in sys.stdin:
    line = line.strip()
    if line == "done":
        sys.exit(0)
    if line[:1] == "+":
        groups.add(int(line[1:]))
    elif line[:1] == "-":
        groups.discard(int(line[1:]))
for group in groups:
    for signum in (signal.SIGKILL, signal.SIGCONT):
        try:
            os.killpg(group, signum)
        except OSError:
            pass
"""
_EXIT_WAIT_S = 5.0


class Reaper:
    """The watchdog for one run. ``watch`` each service's process group as it starts,
    ``forget`` it once reaped, and ``close`` when every service was stopped."""

    def __init__(self) -> None:
        # -I -S: no site packages, no environment, no user directory; it starts in a few ms.
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert self._process.stdin is not None
        self._pipe: IO[bytes] = self._process.stdin

    @property
    def pid(self) -> int:
        return self._process.pid

    def watch(self, group: int) -> None:
        """Kill process group ``group`` should stormproof die before it forgets it."""
        self._say(f"+{group}")

    def forget(self, group: int) -> None:
        """``group`` was reaped: its id may be reused, so the reaper must not signal it."""
        self._say(f"-{group}")

    def close(self) -> None:
        """Every service was stopped: let the reaper exit without killing anything."""
        self._say("done")
        with contextlib.suppress(OSError):
            self._pipe.close()
        try:
            self._process.wait(timeout=_EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _say(self, line: str) -> None:
        # A reaper that died (killed with stormproof's group by hand) cannot be helped;
        # the run goes on as it would have without one.
        with contextlib.suppress(OSError, ValueError):
            self._pipe.write(f"{line}\n".encode())
            self._pipe.flush()
