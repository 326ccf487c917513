"""The reaper: services die with stormproof even when stormproof is SIGKILLed, and are left
alone when stormproof stopped them itself."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from stormproof.chaos.reaper import Reaper

# An owner process: starts a reaper and a service (a shell whose child is the real work, as
# in `sh -c "uvicorn ..."`), each service in a session of its own as the cluster starts them,
# tells the reaper, prints the pids, then waits to be killed.
_OWNER = textwrap.dedent(
    """
    import subprocess, sys, time
    from stormproof.chaos.reaper import Reaper
    reaper = Reaper()
    service = subprocess.Popen(
        ["sh", "-c", "sleep 300 & echo $!; wait"],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    reaper.watch(service.pid)
    child = service.stdout.readline().strip()
    print(reaper.pid, service.pid, child, flush=True)
    if sys.argv[1] == "close":
        service.kill()  # the leader only: its child stays in the group
        service.wait()
        reaper.forget(service.pid)
        reaper.close()
        print("closed", flush=True)
    time.sleep(300)
    """
)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    """The pids still alive after waiting up to ``seconds`` for all of them to go."""
    give_up = time.monotonic() + seconds
    while (left := [pid for pid in pids if alive(pid)]) and time.monotonic() < give_up:
        time.sleep(0.05)
    return left


@pytest.fixture
def owner():
    started: list[subprocess.Popen] = []
    pids: list[int] = []

    def start(mode: str) -> tuple[subprocess.Popen, list[int]]:
        process = subprocess.Popen(
            [sys.executable, "-c", _OWNER, mode], stdout=subprocess.PIPE, text=True
        )
        started.append(process)
        assert process.stdout is not None
        pids.extend(int(pid) for pid in process.stdout.readline().split())
        return process, pids

    yield start
    for process in started:
        process.kill()
        process.wait()
    for pid in pids:  # whatever the test found, leave nothing running
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_the_services_die_when_their_owner_is_killed_9(owner):
    process, (reaper, service, child) = owner("wait")
    assert alive(service) and alive(child)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert wait_gone([service, child, reaper]) == []


def test_services_stopped_by_their_owner_are_forgotten_and_the_reaper_exits(owner):
    process, (reaper, _service, child) = owner("close")
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "closed"
    assert wait_gone([reaper]) == [], "close() should end the reaper"
    # The owner killed only the group's leader, so the leader's child is still in the group:
    # it lives on only because the reaper, told the group was stopped, signals nothing.
    assert alive(child), "a closed reaper must kill nothing"
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(0.3)
    assert alive(child), "a closed reaper must kill nothing, even after its owner dies"


def test_a_reaper_that_died_does_not_break_its_owner():
    reaper = Reaper()
    os.kill(reaper.pid, signal.SIGKILL)
    time.sleep(0.1)
    reaper.watch(12345678)  # a broken pipe is not the owner's problem
    reaper.close()
