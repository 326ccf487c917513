"""Driving a workload: workers invoking operations at a rate, each recorded in the history.

Jepsen's rules for processes hold: a worker has at most one operation outstanding, and a
worker whose operation ended ``info`` never invokes again (the operation may still take
effect at any later time), so it carries on under a new process number.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

import httpx

from stormproof.chaos.errors import ChaosError
from stormproof.chaos.recorder import Recorder
from stormproof.chaos.workload import Fail, Operation, Workload
from stormproof.history import OpType

_ERROR_CHARS = 200


@dataclass
class _Pacer:
    """Hands out start times ``rate`` per second, and the operations in one fixed order."""

    workload: Workload
    rng: random.Random
    deadline: float
    started: float
    issued: int = 0

    def next(self) -> tuple[float, Operation] | None:
        """When to start the next operation and which one; None once the window is over.

        The window is over when the schedule has reached its end, or when the clock has: workers
        that fell behind the rate (slow answers, a starved machine) drop the operations they had
        no time for, instead of starting them late and running past the window, whose end the
        run's timeout and its faults are counted from."""
        rate = self.workload.rate
        now = time.monotonic()
        start = self.started + self.issued / rate if rate > 0 else now
        if start >= self.deadline or now >= self.deadline:
            return None
        self.issued += 1
        try:
            operation = self.workload.generate(self.rng)
        except Exception as error:
            raise ChaosError(f"the workload's generate failed: {describe_error(error)}") from None
        if not isinstance(operation, Operation):
            raise ChaosError(
                f"the workload's generate returned {type(operation).__name__}, not an Operation"
            )
        return start, operation


async def drive(
    workload: Workload,
    client: httpx.AsyncClient,
    recorder: Recorder,
    rng: random.Random,
    seconds: float,
) -> None:
    """Run ``workload.concurrency`` workers for ``seconds``; returns once every operation
    started has completed (each is bounded by ``workload.timeout``)."""
    now = time.monotonic()
    pacer = _Pacer(workload, rng, deadline=now + seconds, started=now)
    workers = workload.concurrency
    try:
        async with asyncio.TaskGroup() as group:
            for process in range(workers):
                group.create_task(_worker(workload, client, recorder, pacer, process, workers))
    except* ChaosError as failed:
        raise failed.exceptions[0] from None


async def _worker(
    workload: Workload,
    client: httpx.AsyncClient,
    recorder: Recorder,
    pacer: _Pacer,
    process: int,
    workers: int,
) -> None:
    while (slot := pacer.next()) is not None:
        start, operation = slot
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        if await invoke(workload, client, recorder, process, operation) == "info":
            process += workers
        _stop_if_cancelled()


def _stop_if_cancelled() -> None:
    """Raise CancelledError if this task was asked to stop, though nothing raised it.

    A cancellation can be lost on its way: an operation that catches CancelledError, or one
    that had just finished when Ctrl-C arrived, returns normally. Its worker would then keep
    invoking until the window's end, holding the interrupted run open for the whole window.
    The request is still counted on the task (``cancelling``), so the worker honours it here.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def invoke(
    workload: Workload,
    client: httpx.AsyncClient,
    recorder: Recorder,
    process: int,
    operation: Operation,
) -> str:
    """Invoke one operation and record its invoke and completion; returns the completion type."""
    f, value = operation.f, operation.value

    def record(type: OpType, value: Any, error: str | None = None) -> None:
        recorder.record(process, type, f, value, error, operation.key)

    record("invoke", value)
    try:
        # asyncio.timeout, not wait_for: on 3.11, wait_for returns the inner result and drops
        # a cancellation that arrives as the operation completes.
        async with asyncio.timeout(workload.timeout):
            result = await workload.invoke(client, operation)
    except Fail as failure:
        reason = f"Fail: {failure.reason}" if failure.reason else None
        record("fail", value if failure.value is None else failure.value, reason)
        return "fail"
    except httpx.ConnectError as error:
        # Nothing was sent: the connection was never made.
        record("fail", value, describe_error(error))
        return "fail"
    except TimeoutError:
        record("info", value, f"Timeout: no answer in {workload.timeout:g}s")
        return "info"
    except Exception as error:
        record("info", value, describe_error(error))
        return "info"
    record("ok", result)
    return "ok"


def describe_error(error: BaseException) -> str:
    """``ReadTimeout: timed out``: the error's type and the first line of its message."""
    message = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {message[0]}" if message else type(error).__name__
    return text if len(text) <= _ERROR_CHARS else text[: _ERROR_CHARS - 1] + "…"
