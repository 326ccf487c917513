"""A clock the tests move by hand, shared by threads."""

from __future__ import annotations

import threading


class FakeClock:
    """Wall-clock seconds that stand still until :meth:`advance`."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
