"""The workload plugin API: what a chaos run does to the system, and how it judges the result.

A workload is a class in a module the manifest names (``chaos.workload.module``). The run
makes one instance, then:

1. calls :meth:`Workload.generate` for every operation, from a seeded RNG, so the same seed
   asks for the same operations in the same order;
2. has ``concurrency`` workers call :meth:`Workload.invoke` against the entry service (through
   its fault proxy), ``rate`` operations per second in all, for the fault window;
3. heals every fault, lets the system settle, calls :meth:`Workload.final_state` with direct
   (unproxied) URLs of every service and the run's data directory;
4. judges (history, final state) with every invariant :meth:`Workload.invariants` returns.

``invoke`` returns the operation's result (recorded as ``ok``), raises :class:`Fail` when the
operation definitely did not happen (``fail``), and lets anything else escape: a timeout, a
dropped connection or an unexpected answer means the client cannot know, so it is recorded
as ``info`` (it may have happened, or may happen later). Reporting a 5xx as ``Fail`` is a
claim that the system rolled back; make it only if the system promises that.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from stormproof.history import Invariant


class Fail(Exception):
    """Raised by :meth:`Workload.invoke`: the operation definitely did not take effect.

    ``value`` is recorded as the ``fail`` event's value (None: the invoke's value)."""

    def __init__(self, value: Any = None, reason: str = "") -> None:
        super().__init__(reason or "operation failed")
        self.value = value
        self.reason = reason


@dataclass(frozen=True)
class Operation:
    """One operation to invoke: a function name (``f``), its argument (JSON-ready) and, for
    a workload over several independent objects, the ``key`` of the one it is about (what
    ``stormproof lin`` splits a history by)."""

    f: str
    value: Any = None
    key: str | int | None = None


@dataclass(frozen=True)
class RunContext:
    """What a workload may know of the running system.

    ``entry_url`` goes through the entry service's fault proxy (client traffic); ``urls`` are
    the services' own addresses, for reads after the faults are healed; ``data_dir`` is the
    run's ``{data}`` directory (where the services keep their files)."""

    entry: str
    entry_url: str
    urls: dict[str, str]
    data_dir: Path
    seed: int
    settings: dict[str, Any] = field(default_factory=dict)


class Workload:
    """Subclass this in the workload module. Class attributes are defaults that the
    manifest's ``chaos.workload`` entry (and ``--concurrency``/``--rate``) override."""

    concurrency: int = 4
    """Workers, each invoking one operation at a time."""
    rate: float = 20.0
    """Operations started per second, all workers together; 0 means as fast as they can."""
    timeout: float = 5.0
    """Seconds a client waits for one operation before recording it as ``info``."""

    def setup(self, context: RunContext) -> None:
        """Called once the services are healthy, before the first operation."""

    def generate(self, rng: random.Random) -> Operation:
        """The next operation to invoke. Draw every choice from ``rng``."""
        raise NotImplementedError(f"{type(self).__name__} must define generate(rng)")

    async def invoke(self, client: httpx.AsyncClient, operation: Operation) -> Any:
        """Perform ``operation`` with ``client`` (its base URL is the entry proxy's) and
        return its result; raise :class:`Fail` when it definitely did not happen."""
        raise NotImplementedError(f"{type(self).__name__} must define invoke(client, operation)")

    async def final_state(self, client: httpx.AsyncClient, context: RunContext) -> Any:
        """Read the system's final state (JSON-ready) after healing and settling. ``client``
        has no base URL and no proxy; use ``context.urls`` or ``context.data_dir``."""
        return None

    def invariants(self) -> Sequence[Invariant]:
        """The invariants judged on (history, final state)."""
        return ()
