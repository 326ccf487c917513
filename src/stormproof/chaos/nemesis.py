"""The nemesis: applies a schedule's faults to a running cluster, on time, and heals them.

Each event is started and stopped on the run's clock (the history's), so the summary can
tell which faults were active around any operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stormproof.chaos.cluster import Cluster
from stormproof.chaos.errors import ChaosError
from stormproof.chaos.faults import Kill, Pause, Skew, is_process_fault
from stormproof.chaos.schedule import FaultEvent, Schedule
from stormproof.chaos.topology import Topology


@dataclass
class AppliedFault:
    """One scheduled event and what became of it (times in ns on the run's clock)."""

    event: FaultEvent
    started: int | None = None
    ended: int | None = None
    error: str | None = None

    def overlaps(self, start: int, end: int) -> bool:
        return (
            self.started is not None
            and self.started <= end
            and (self.ended is None or start < self.ended)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.event.to_dict(),
            "label": self.event.label,
            "started_ns": self.started,
            "ended_ns": self.ended,
            "error": self.error,
        }


class Nemesis:
    def __init__(
        self, cluster: Cluster, topology: Topology, schedule: Schedule, clock: Callable[[], int]
    ) -> None:
        self._cluster = cluster
        self._topology = topology
        self._clock = clock
        self.applied = [AppliedFault(event) for event in schedule.events]
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def active(self) -> list[AppliedFault]:
        return [a for a in self.applied if a.started is not None and a.ended is None]

    def start(self) -> None:
        """Schedule every event, counting from now."""
        origin = time.monotonic()
        self._tasks = [asyncio.create_task(self._run(a, origin)) for a in self.applied]

    async def heal(self) -> None:
        """Stop the events still to come, end every active fault, restart dead services."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for applied in self.active:
            with contextlib.suppress(ChaosError, OSError):
                await self._stop(applied.event)
            applied.ended = self._clock()
        await self._cluster.heal_all()

    async def _run(self, applied: AppliedFault, origin: float) -> None:
        event = applied.event
        await asyncio.sleep(max(0.0, origin + event.at - time.monotonic()))
        applied.started = self._clock()
        try:
            await self._start(event)
        except (ChaosError, OSError, ValueError) as error:
            applied.error = f"could not start: {error}"
            applied.ended = self._clock()
            return
        await asyncio.sleep(max(0.0, origin + event.end - time.monotonic()))
        try:
            await self._stop(event)
        except (ChaosError, OSError) as error:
            applied.error = f"could not end: {error}"
        applied.ended = self._clock()

    async def _start(self, event: FaultEvent) -> None:
        fault = event.fault
        if not is_process_fault(fault):
            for edge in self._topology.network_edges(event.target):
                self._cluster.proxies[edge].set_fault(fault)  # type: ignore[arg-type]
        elif isinstance(fault, Kill):
            await self._cluster.kill(event.target)
        elif isinstance(fault, Pause):
            self._cluster.pause(event.target)
        elif isinstance(fault, Skew):
            self._cluster.set_skew(event.target, fault.offset_s)

    async def _stop(self, event: FaultEvent) -> None:
        fault = event.fault
        if not is_process_fault(fault):
            for edge in self._topology.network_edges(event.target):
                self._cluster.proxies[edge].clear_fault(fault.kind)
        elif isinstance(fault, Kill):
            await self._cluster.restart(event.target)
        elif isinstance(fault, Pause):
            self._cluster.resume(event.target)
        elif isinstance(fault, Skew):
            self._cluster.clear_skew(event.target)
