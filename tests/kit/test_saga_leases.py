"""One saga, one runner at a time: between the threads of one orchestrator, between
orchestrators sharing a log file, and across a lease that lapses or is renewed."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stormproof.kit.saga import (
    Orchestrator,
    Saga,
    SagaInProgressError,
    SagaLog,
    SagaResult,
    Step,
    StepContext,
)
from stormproof.kit.saga.leases import Leases
from tests.kit.saga_apps.fakes import Service, trip

WAIT_S = 30.0


class Gate:
    """Holds the first call of the flight action inside it (after its effect) until opened;
    ``entered`` is set once it is there. Later calls go straight through."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.entered = threading.Event()
        self.opened = threading.Event()

    def action(self, context: StepContext) -> Any:
        result = self.service.call(context)
        if context.step == "flight" and not self.entered.is_set():  # the first flight call
            self.entered.set()
            assert self.opened.wait(WAIT_S)
        return result

    def saga(self) -> Saga:
        return Saga(
            *(
                Step(name, self.action, compensation=self.service.call)
                for name in ("charge", "flight")
            )
        )


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "sagas.db"


def in_background(fn: Callable[[], SagaResult]) -> Callable[[], SagaResult]:
    """Run ``fn`` in a thread; the returned function joins it and returns (or raises) its
    outcome."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(fn())
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def join() -> SagaResult:
        thread.join(WAIT_S)
        assert outcome, "the saga never finished"
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]  # type: ignore[no-any-return]

    return join


def test_a_saga_running_here_is_refused_to_other_threads_and_coordinators(path: Path) -> None:
    service = Service()
    gate = Gate(service)
    here = Orchestrator(SagaLog(path), {"trip": gate.saga()}, owner="here")
    there = Orchestrator(SagaLog(path), {"trip": gate.saga()}, owner="there")
    first = in_background(lambda: here.start("trip", "t1"))
    assert gate.entered.wait(WAIT_S)

    refusals: list[BaseException] = []

    def start_again(orchestrator: Orchestrator) -> None:
        try:
            orchestrator.start("trip", "t1")
        except SagaInProgressError as refused:
            refusals.append(refused)

    threads = [threading.Thread(target=start_again, args=(o,)) for o in [here, there] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    assert len(refusals) == 8
    assert {refusal.name for refusal in refusals} == {"t1"}  # type: ignore[attr-defined]
    assert there.recover() == []  # left to the coordinator that holds it

    gate.opened.set()
    assert first().status == "completed"
    assert there.start("trip", "t1").status == "completed"
    assert service.keys() == ["t1:charge:action", "t1:flight:action"]


def test_coordinators_racing_to_start_one_saga_run_it_once(path: Path) -> None:
    service = Service()
    orchestrators = [
        Orchestrator(SagaLog(path), {"trip": trip(service)}, owner=f"o{n}") for n in range(8)
    ]
    barrier = threading.Barrier(len(orchestrators))
    outcomes: list[str] = []

    def race(orchestrator: Orchestrator) -> None:
        barrier.wait(WAIT_S)
        try:
            outcomes.append(orchestrator.start("trip", "t1", {"n": 1}).status)
        except SagaInProgressError:
            outcomes.append("refused")

    threads = [threading.Thread(target=race, args=(o,)) for o in orchestrators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)

    assert len(outcomes) == 8 and set(outcomes) <= {"completed", "refused"}
    assert "completed" in outcomes
    assert service.keys() == ["t1:charge:action", "t1:flight:action", "t1:hotel:action"]


def test_a_lapsed_lease_is_taken_over_and_the_old_runner_stops_at_its_next_write(
    path: Path,
) -> None:
    service = Service()
    gate = Gate(service)
    clock = Clock()
    stalled = Orchestrator(SagaLog(path), {"trip": gate.saga()}, owner="stalled", clock=clock)
    rescuer = Orchestrator(
        SagaLog(path), {"trip": gate.saga()}, owner="rescuer", clock=lambda: clock.now + 31
    )
    first = in_background(lambda: stalled.start("trip", "t1"))
    assert gate.entered.wait(WAIT_S)

    [rescued] = rescuer.recover()  # its clock is past the stalled one's lease
    assert rescued.status == "completed"

    gate.opened.set()  # the stalled one's flight call returns, too late
    with pytest.raises(SagaInProgressError, match="no longer running under 'stalled'"):
        first()
    after = SagaLog(path).get("t1")
    assert after is not None and after.events == rescued.events  # the stalled one wrote nothing
    assert service.keys().count("t1:flight:action") == 2
    assert list(service.effects) == ["t1:charge:action", "t1:flight:action"]


def test_a_running_saga_keeps_its_lease_however_long_its_step_takes(path: Path) -> None:
    service = Service()
    gate = Gate(service)
    clock = Clock()
    runner = Orchestrator(
        SagaLog(path), {"trip": gate.saga()}, owner="runner", clock=clock, lease=0.03
    )
    first = in_background(lambda: runner.start("trip", "t1"))
    assert gate.entered.wait(WAIT_S)

    clock.now = 2000.0  # long past the lease taken at 1000: only renewals can keep it
    deadline = time.monotonic() + WAIT_S
    while lease_until(path, "t1") < 2000.0:
        assert time.monotonic() < deadline, "the lease was never renewed"
        time.sleep(0.01)
    other = Orchestrator(SagaLog(path), {"trip": gate.saga()}, owner="other", clock=clock)
    with pytest.raises(SagaInProgressError, match="another coordinator"):
        other.start("trip", "t1")

    gate.opened.set()
    assert first().status == "completed"


def test_the_lease_thread_renews_while_sagas_run_and_ends_when_none_do() -> None:
    renewed: list[list[str]] = []
    leases = Leases(lambda ids: renewed.append(list(ids)), interval=0.005)

    assert leases.acquire("a") and leases.acquire("b")
    assert not leases.acquire("a")
    deadline = time.monotonic() + WAIT_S
    while not renewed:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    assert renewed[0] == ["a", "b"]
    leases.release("a")
    leases.release("b")
    deadline = time.monotonic() + WAIT_S
    while leases._thread is not None:
        assert time.monotonic() < deadline, "the lease thread outlived its sagas"
        time.sleep(0.005)
    assert leases.acquire("a")  # free again, and a new thread renews it
    leases.release("a")


def lease_until(path: Path, saga_id: str) -> float:
    with sqlite3.connect(path) as db:
        (until,) = db.execute(
            "SELECT lease_until FROM stormproof_sagas WHERE saga_id = ?", (saga_id,)
        ).fetchone()
    return float(until)
