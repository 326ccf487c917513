"""Recording a run's history as it happens: stamped, kept in memory and streamed to disk."""

from __future__ import annotations

import time
from collections import Counter, deque
from pathlib import Path
from typing import Any

from stormproof.history import History, HistoryWriter, Op, OpType

_RATE_WINDOW_NS = 2_000_000_000


class Recorder:
    """Stamps each event with monotonic nanoseconds since the run began.

    Every event is on disk (flushed) as soon as it is recorded, so a run that is interrupted
    still leaves the history of what it did."""

    def __init__(self, path: Path, started_ns: int | None = None) -> None:
        self.started_ns = time.monotonic_ns() if started_ns is None else started_ns
        self.counts: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self._ops: list[Op] = []
        self._writer = HistoryWriter(path)
        self._recent: deque[int] = deque()

    def now(self) -> int:
        """Nanoseconds since the run began."""
        return time.monotonic_ns() - self.started_ns

    def record(
        self,
        process: int,
        type: OpType,
        f: str,
        value: Any,
        error: str | None = None,
        key: str | int | None = None,
    ) -> Op:
        op = Op(process, type, f, value, self.now(), len(self._ops), error, key)
        self._ops.append(op)
        self._writer.write(op)
        self.counts[type] += 1
        if type != "invoke":
            self._recent.append(op.time)
        if error is not None:
            self.errors[error.split(":", 1)[0]] += 1
        return op

    def ops_per_second(self) -> float:
        """Completions per second over the last two seconds."""
        horizon = self.now() - _RATE_WINDOW_NS
        while self._recent and self._recent[0] < horizon:
            self._recent.popleft()
        return len(self._recent) * 1e9 / _RATE_WINDOW_NS

    def history(self) -> History:
        return History(self._ops)

    def close(self) -> None:
        self._writer.close()
