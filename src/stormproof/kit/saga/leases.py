"""Which sagas an orchestrator is running, and the thread that keeps their leases alive.

The set answers "is this saga already running here?" for threads and tasks of one process
(the log's lease answers it between processes). While the set is not empty, one daemon
thread renews the leases of its sagas every third of the lease, so that a step may run for as
long as it needs: a lease lapses only when its coordinator stops renewing it, because it died
or hangs, and only then can another coordinator take the saga over."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)


class Leases:
    """The sagas being run here; ``renew(saga_ids)`` is called for them every ``interval``
    seconds, from a thread that exists only while there are any."""

    def __init__(self, renew: Callable[[Sequence[str]], None], interval: float) -> None:
        self._renew = renew
        self._interval = interval
        self._lock = threading.Lock()
        self._running: set[str] = set()
        self._thread: threading.Thread | None = None

    def acquire(self, saga_id: str) -> bool:
        """Mark the saga running here; False if it already is."""
        with self._lock:
            if saga_id in self._running:
                return False
            self._running.add(saga_id)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._renew_while_running, name="stormproof-saga-leases", daemon=True
                )
                self._thread.start()
            return True

    def release(self, saga_id: str) -> None:
        with self._lock:
            self._running.discard(saga_id)

    def _renew_while_running(self) -> None:
        while True:
            time.sleep(self._interval)
            with self._lock:
                if not self._running:
                    self._thread = None  # under the lock: acquire() starts a new thread
                    return
                running = sorted(self._running)
            try:
                self._renew(running)
            except Exception:
                # The next beat tries again; if the log stays unwritable, the saga's own
                # next write fails too and stops it, so nothing is lost by going on.
                logger.warning("could not renew the leases of sagas %s", running, exc_info=True)
