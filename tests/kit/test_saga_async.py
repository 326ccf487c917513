"""The same orchestrator under asyncio: async steps awaited, plain steps and the log kept off
the event loop, sagas run concurrently, compensations retried with an async sleep."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from stormproof.kit import deadline
from stormproof.kit.saga import (
    Orchestrator,
    Saga,
    SagaLog,
    Step,
    StepContext,
)
from tests.kit.saga_apps.fakes import Crash, Fault, Service

WAIT_S = 30.0


def run(scenario: Coroutine[Any, Any, None]) -> None:
    asyncio.run(asyncio.wait_for(scenario, WAIT_S))


class AsyncService:
    """The fake service behind async steps; records the thread each call ran on."""

    def __init__(self) -> None:
        self.service = Service()
        self.threads: list[int] = []

    async def call(self, context: StepContext) -> Any:
        self.threads.append(threading.get_ident())
        await asyncio.sleep(0)
        return self.service.call(context)

    def call_sync(self, context: StepContext) -> Any:
        self.threads.append(threading.get_ident())
        return self.service.call(context)

    def saga(self) -> Saga:
        return Saga(
            Step("charge", self.call, compensation=self.call),
            Step("flight", self.call_sync, compensation=self.call_sync),
            Step("hotel", self.call, compensation=self.call),
        )


@pytest.fixture
def downstream() -> AsyncService:
    return AsyncService()


@pytest.fixture
def orchestrator(tmp_path: Path, downstream: AsyncService) -> Orchestrator:
    return Orchestrator(SagaLog(tmp_path / "sagas.db"), {"trip": downstream.saga()}, owner="here")


def test_async_and_plain_steps_run_with_plain_ones_off_the_loop(
    orchestrator: Orchestrator, downstream: AsyncService
) -> None:
    async def scenario() -> None:
        result = await orchestrator.start_async("trip", "t1", {"customer": "ada"})

        assert result.status == "completed"
        assert result.results["hotel"] == {"id": 3, "saw": ["charge", "flight"]}
        loop_thread = threading.get_ident()
        charge, flight, hotel = downstream.threads
        assert charge == hotel == loop_thread
        assert flight != loop_thread

    run(scenario())


def test_concurrent_sagas_all_complete_and_one_id_runs_once(
    orchestrator: Orchestrator, downstream: AsyncService
) -> None:
    async def scenario() -> None:
        results = await asyncio.gather(
            *(orchestrator.start_async("trip", f"t{n}", {"n": n}) for n in range(20))
        )
        assert [r.status for r in results] == ["completed"] * 20
        assert len(downstream.service.effects) == 60

        twice = await asyncio.gather(
            orchestrator.start_async("trip", "same"),
            orchestrator.start_async("trip", "same"),
            return_exceptions=True,
        )
        assert sorted(type(o).__name__ for o in twice) == ["SagaInProgressError", "SagaResult"]
        assert downstream.service.keys().count("same:charge:action") == 1

    run(scenario())


def test_async_compensation_is_retried_with_the_injected_async_sleep(
    tmp_path: Path, downstream: AsyncService
) -> None:
    async def scenario() -> None:
        pauses: list[float] = []

        async def sleep(seconds: float) -> None:
            pauses.append(seconds)

        orchestrator = Orchestrator(
            SagaLog(tmp_path / "sagas.db"), {"trip": downstream.saga()}, owner="here", sleep=sleep
        )
        downstream.service.fail("hotel", "action", Fault(RuntimeError("full")))
        downstream.service.fail("charge", "compensation", Fault(OSError("a")), Fault(OSError("b")))

        result = await orchestrator.start_async("trip", "t1")

        assert result.status == "compensated"
        assert len(pauses) == 2
        assert [step for step, phase in downstream.service.order() if phase == "compensation"] == [
            "hotel",
            "flight",
            "charge",
            "charge",
            "charge",
        ]

    run(scenario())


def test_recover_async_resumes_a_crashed_saga(
    orchestrator: Orchestrator, downstream: AsyncService
) -> None:
    async def scenario() -> None:
        downstream.service.fail("hotel", "action", Fault(Crash(), when="after"))
        with pytest.raises(Crash):
            await orchestrator.start_async("trip", "t1")

        [result] = await orchestrator.recover_async()

        assert result.status == "completed"
        assert downstream.service.keys().count("t1:hotel:action") == 2
        assert len(downstream.service.effects) == 3

    run(scenario())


def test_a_cancelled_saga_stops_where_it_stands_and_resumes_later(
    orchestrator: Orchestrator,
) -> None:
    async def scenario() -> None:
        entered = asyncio.Event()
        calls = 0

        async def charge(context: StepContext) -> str:
            nonlocal calls
            calls += 1
            if calls == 1:
                entered.set()
                await asyncio.sleep(3600)
            return "charged"

        held = Orchestrator(
            orchestrator.log,
            {"trip": Saga(Step("charge", charge, compensation=None))},
            owner="here",
        )
        task = asyncio.create_task(held.start_async("trip", "t1"))
        await entered.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        logged = held.log.get("t1")
        assert logged is not None and logged.status == "running"  # nothing logged for a cancel

        result = await held.start_async("trip", "t1")

        assert result.status == "completed" and result.results == {"charge": "charged"}
        assert calls == 2

    run(scenario())


def test_a_saga_with_async_steps_is_refused_by_the_sync_api(
    orchestrator: Orchestrator, downstream: AsyncService
) -> None:
    with pytest.raises(TypeError, match="has async steps: run it with start_async"):
        orchestrator.start("trip", "t1")
    assert orchestrator.log.get("t1") is None

    downstream.service.fail("hotel", "action", Fault(Crash()))
    with pytest.raises(Crash):
        asyncio.run(orchestrator.start_async("trip", "t2"))
    with pytest.raises(TypeError, match="has async steps"):
        orchestrator.recover()


def test_steps_run_detached_from_the_starters_passed_deadline(tmp_path: Path) -> None:
    """A caller that gave up must not cut a saga short: its steps (plain ones in worker
    threads, async ones on the loop) and compensations see no deadline at all."""
    seen: list[tuple[str, float | None]] = []

    def plain(context: StepContext) -> None:
        seen.append((context.step, deadline.remaining()))

    async def failing(context: StepContext) -> None:
        seen.append((context.step, deadline.remaining()))
        raise RuntimeError("no rooms")

    saga = Saga(
        Step("charge", plain, compensation=plain), Step("hotel", failing, compensation=None)
    )
    orchestrator = Orchestrator(SagaLog(tmp_path / "sagas.db"), {"trip": saga}, owner="here")

    async def scenario() -> None:
        async with deadline.deadline(0.001):
            await asyncio.sleep(0.01)
            result = await orchestrator.start_async("trip", "t1", {})
        assert result.status == "compensated"

    run(scenario())

    assert seen == [("charge", None), ("hotel", None), ("charge", None)]
