"""Live progress of a chaos run: phase, operations per second, errors and active faults.

On a terminal it is a rich panel redrawn a few times a second; otherwise (CI logs) one
line per phase. Both read the run's :class:`RunStatus` from a thread of their own.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from stormproof.chaos.run import RunStatus

_POLL_S = 0.25


class _StatusView:
    def __init__(self, status: RunStatus) -> None:
        self.status = status

    def __rich__(self) -> RenderableType:
        status = self.status
        elapsed = time.monotonic() - status.phase_started
        head = Text.assemble(("chaos ", "bold"), (status.phase, "bold cyan"), f"  {elapsed:4.0f}s")
        if status.schedule is not None:
            head.append(
                f"   scenario {status.schedule.scenario} · seed {status.schedule.seed} · "
                f"{status.schedule.duration:g}s window"
            )
        rows: list[RenderableType] = [head]
        recorder = status.recorder
        if recorder is not None:
            counts = recorder.counts
            rows.append(
                Text(
                    f"ops {counts['invoke']}  ok {counts['ok']}  fail {counts['fail']}  "
                    f"info {counts['info']}  ·  {recorder.ops_per_second():.1f} ops/s"
                )
            )
            if recorder.errors:
                top = ", ".join(f"{kind} {n}" for kind, n in recorder.errors.most_common(4))
                rows.append(Text(f"errors: {top}", style="yellow"))
        if status.nemesis is not None:
            faults = Table.grid(padding=(0, 1))
            for applied in status.nemesis.active:
                faults.add_row(Text("⚡", style="red"), applied.event.label)
            if faults.row_count:
                rows.append(faults)
        return Group(*rows)


class LiveProgress:
    """``with LiveProgress(status, console):`` shows the run while the block runs."""

    def __init__(self, status: RunStatus, console: Console) -> None:
        self._status = status
        self._console = console
        self._live: Live | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LiveProgress:
        if self._console.is_terminal:
            self._live = Live(
                _StatusView(self._status),
                console=self._console,
                refresh_per_second=4,
                transient=True,
            )
            self._live.start()
        else:
            self._thread = threading.Thread(target=self._log_phases, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _log_phases(self) -> None:
        seen = ""
        while not self._stop.wait(_POLL_S):
            phase = self._status.phase
            if phase != seen and phase not in ("loading", "done"):
                self._console.print(f"stormproof chaos: {phase}", highlight=False)
                seen = phase
