"""Crash recovery with real processes: a coordinator is killed with SIGKILL in the middle of a
step, after the step's effect reached the downstream but before the log heard of it, and a
restarted coordinator's ``recover()`` finishes the saga from the log, forward or in reverse,
with every effect applied exactly once (the downstream dedups by idempotency key).

Every coordinator runs in its own process group, killed by the fixture's finalizer."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stormproof.kit.saga import SagaLog
from tests.kit.saga_apps.downstream import Downstream

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 60.0
SAGA = "trip-1"


@dataclass
class World:
    log: Path
    downstream: Path
    signal: Path

    def saga_log(self) -> SagaLog:
        return SagaLog(self.log)

    def effects(self) -> list[str]:
        return Downstream(self.downstream).effects()

    def calls(self) -> list[str]:
        return Downstream(self.downstream).calls()


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path / "sagas.db", tmp_path / "downstream.db", tmp_path / "hanging")


@pytest.fixture
def coordinator(world: World) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start ``coordinator.py`` with the given arguments; every one is killed at the end."""
    processes: list[subprocess.Popen[str]] = []

    def spawn(*args: str) -> subprocess.Popen[str]:
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        command = [sys.executable, "-m", "tests.kit.saga_apps.coordinator", *args[:1]]
        command += [str(world.log), str(world.downstream), *args[1:]]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        processes.append(process)
        return process

    try:
        yield spawn
    finally:
        for process in processes:
            kill(process)


def kill(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)


def kill_when_hanging(process: subprocess.Popen[str], world: World) -> None:
    """Wait until the coordinator hangs at its ``--hang`` point, then SIGKILL it."""
    deadline = time.monotonic() + DEADLINE_S
    while not world.signal.exists():
        if process.poll() is not None:
            pytest.fail(f"the coordinator exited early: {process.communicate()}")
        assert time.monotonic() < deadline, "the coordinator never reached its hang point"
        time.sleep(0.01)
    kill(process)
    assert process.returncode == -signal.SIGKILL


def finish(process: subprocess.Popen[str]) -> Any:
    out, err = process.communicate(timeout=DEADLINE_S)
    assert process.returncode == 0, err
    return json.loads(out)


def kinds(world: World) -> list[tuple[str, str | None]]:
    saga = world.saga_log().get(SAGA)
    assert saga is not None
    return [(event.kind.value, event.step) for event in saga.events]


def test_a_coordinator_killed_mid_step_completes_the_saga_on_restart(
    coordinator: Callable[..., subprocess.Popen[str]], world: World
) -> None:
    kill_when_hanging(
        coordinator("start", SAGA, "--hang", "flight:action", "--signal", str(world.signal)),
        world,
    )
    assert kinds(world) == [
        ("started", None),
        ("step_begun", "charge"),
        ("step_done", "charge"),
        ("step_begun", "flight"),  # the flight took effect; the log cannot know
    ]
    assert world.effects() == [f"{SAGA}:charge:action", f"{SAGA}:flight:action"]

    [result] = finish(coordinator("recover"))

    assert result["status"] == "completed"
    assert kinds(world)[4:] == [
        ("resumed", None),
        ("step_begun", "flight"),  # forward recovery: the same step, the same key
        ("step_done", "flight"),
        ("step_begun", "hotel"),
        ("step_done", "hotel"),
        ("completed", None),
    ]
    keys = [f"{SAGA}:{step}:action" for step in ("charge", "flight", "hotel")]
    assert world.calls() == [keys[0], keys[1], keys[1], keys[2]]  # flight called twice...
    assert world.effects() == keys  # ...and applied once
    first_flight_call = 2
    assert result["results"]["flight"] == {"id": first_flight_call}  # the first call's answer

    assert finish(coordinator("recover")) == []  # nothing left to do, nothing called again
    assert len(world.calls()) == 4


def test_a_step_failing_after_the_restart_compensates_each_done_step_once(
    coordinator: Callable[..., subprocess.Popen[str]], world: World
) -> None:
    kill_when_hanging(
        coordinator("start", SAGA, "--hang", "flight:action", "--signal", str(world.signal)),
        world,
    )

    [result] = finish(coordinator("recover", "--fail", "hotel"))

    assert result["status"] == "compensated"
    assert result["failed_step"] == "hotel"
    assert result["error"] == "RuntimeError: hotel refused"
    compensations = [f"{SAGA}:{step}:compensation" for step in ("hotel", "flight", "charge")]
    assert [key for key in world.calls() if key.endswith(":compensation")] == compensations
    # The hotel never took effect, so its compensation found nothing to undo.
    assert world.effects() == [
        f"{SAGA}:charge:action",
        f"{SAGA}:flight:action",
        f"{SAGA}:flight:compensation",
        f"{SAGA}:charge:compensation",
    ]
    assert [kind for kind in kinds(world) if kind[0].startswith("compensat")] == [
        ("compensating", None),
        ("compensation_begun", "hotel"),
        ("compensation_done", "hotel"),
        ("compensation_begun", "flight"),
        ("compensation_done", "flight"),
        ("compensation_begun", "charge"),
        ("compensation_done", "charge"),
        ("compensated", None),
    ]


def test_a_coordinator_killed_mid_compensation_finishes_compensating_on_restart(
    coordinator: Callable[..., subprocess.Popen[str]], world: World
) -> None:
    doomed = coordinator(
        "start", SAGA, "--fail", "hotel", "--hang", "flight:compensation",
        "--signal", str(world.signal),
    )  # fmt: skip
    kill_when_hanging(doomed, world)
    saga = world.saga_log().get(SAGA)
    assert saga is not None and saga.status == "compensating"

    [result] = finish(coordinator("recover"))  # no --fail: the log alone says "compensate"

    assert result["status"] == "compensated"
    compensation_calls = [key for key in world.calls() if key.endswith(":compensation")]
    assert compensation_calls == [
        f"{SAGA}:hotel:compensation",
        f"{SAGA}:flight:compensation",  # killed here, after its effect
        f"{SAGA}:flight:compensation",  # called again, with the same key
        f"{SAGA}:charge:compensation",
    ]
    assert world.effects() == [
        f"{SAGA}:charge:action",
        f"{SAGA}:flight:action",
        f"{SAGA}:flight:compensation",
        f"{SAGA}:charge:compensation",
    ]
