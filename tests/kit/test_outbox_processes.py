"""Relays as real processes on one SQLite file (``outbox_apps/relay_process.py``): two
running side by side deliver every event exactly once, in key order; the events leased by a
relay killed mid-delivery are delivered by another once their lease has run out, and not
before. Every process runs in its own process group, killed by the fixture's finalizer."""

from __future__ import annotations

import collections
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stormproof.kit.outbox import SqliteOutbox

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 30.0
KEYS = [f"k{n}" for n in range(6)] + [None]


@dataclass
class Files:
    db: Path
    log: Path

    def lines(self, phase: str | None = None) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        lines = [json.loads(line) for line in self.log.read_text().splitlines()]
        return [line for line in lines if phase is None or line["phase"] == phase]

    def pending(self) -> int:
        with sqlite3.connect(self.db) as conn:
            query = "SELECT count(*) FROM stormproof_outbox WHERE delivered_at IS NULL"
            return int(conn.execute(query).fetchone()[0])

    def seed(self, outbox: SqliteOutbox, count: int, *, start: int = 0) -> None:
        """``count`` events in transactions of ten, over the keys in turn."""
        conn = sqlite3.connect(self.db)
        try:
            for first in range(start, start + count, 10):
                with conn:
                    for n in range(first, min(first + 10, start + count)):
                        outbox.add(conn, "t", n, key=KEYS[n % len(KEYS)])
        finally:
            conn.close()


def wait_until(condition: Callable[[], bool], what: str, files: Files) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"no {what} after {DEADLINE_S}s: {files.lines()}"
        time.sleep(0.01)


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path / "service.db", tmp_path / "deliveries.log")


@pytest.fixture
def spawn(files: Files) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start a relay process (``spawn(*options)``); every one is killed at the end."""
    processes: list[subprocess.Popen[bytes]] = []

    def spawn(*options: str) -> subprocess.Popen[bytes]:
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        command = [sys.executable, "-m", "tests.kit.outbox_apps.relay_process"]
        process = subprocess.Popen(
            [*command, str(files.db), str(files.log), *options],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(process)
        return process

    yield spawn
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=DEADLINE_S)


def test_two_relay_processes_deliver_each_event_exactly_once_in_key_order(
    files: Files, spawn: Callable[..., subprocess.Popen[bytes]]
) -> None:
    outbox = SqliteOutbox(files.db)
    relays = [spawn("--batch", "5", "--delay", "0.002") for _ in range(2)]
    wait_until(lambda: len(files.lines("ready")) == 2, "two ready relays", files)

    files.seed(outbox, 150)
    files.seed(outbox, 150, start=150)  # more while they deliver
    wait_until(lambda: files.pending() == 0, "delivery of every event", files)
    for relay in relays:
        relay.send_signal(signal.SIGTERM)
    assert [relay.wait(timeout=DEADLINE_S) for relay in relays] == [0, 0]

    starts, dones = files.lines("start"), files.lines("done")
    assert collections.Counter(line["seq"] for line in starts) == dict.fromkeys(range(1, 301), 1)
    assert sorted(line["seq"] for line in dones) == list(range(1, 301))
    assert {line["pid"] for line in dones} == {relay.pid for relay in relays}
    for key in KEYS[:-1]:
        seqs = [line["seq"] for line in dones if line["key"] == key]
        assert seqs == sorted(seqs), f"key {key} delivered out of order"


def test_a_killed_relays_events_are_delivered_by_another_after_its_lease(
    files: Files, spawn: Callable[..., subprocess.Popen[bytes]]
) -> None:
    outbox = SqliteOutbox(files.db)
    conn = sqlite3.connect(files.db)
    with conn:  # keyless events, so that one batch holds the first ten
        for n in range(12):
            outbox.add(conn, "t", n)
    crashing = spawn("--batch", "10", "--lease", "1.5", "--hang-on", "5")
    wait_until(lambda: any(line["seq"] == 5 for line in files.lines("start")), "start", files)
    with conn:
        leased = conn.execute(
            "SELECT seq, lease_until FROM stormproof_outbox WHERE lease_owner LIKE ? ORDER BY seq",
            (f"process-{crashing.pid}/%",),  # the relay's name, then the claim's token
        ).fetchall()
    conn.close()
    assert [seq for seq, _ in leased] == list(range(5, 11))  # 1-4 delivered, 11-12 unclaimed
    os.killpg(crashing.pid, signal.SIGKILL)
    crashing.wait(timeout=DEADLINE_S)

    rescuer = spawn("--lease", "1.5")
    wait_until(lambda: files.pending() == 0, "delivery of every event", files)

    done_by = {line["seq"]: line["pid"] for line in files.lines("done")}
    assert sorted(done_by) == list(range(1, 13))
    assert len(files.lines("done")) == 12  # each event done once
    assert {seq for seq, pid in done_by.items() if pid == crashing.pid} == {1, 2, 3, 4}
    starts = collections.Counter(line["seq"] for line in files.lines("start"))
    assert starts == {**dict.fromkeys(range(1, 13), 1), 5: 2}  # 5: started, killed, redone
    lease_until = leased[0][1]
    rescued = [line for line in files.lines("start") if line["pid"] == rescuer.pid]
    assert all(line["time"] >= lease_until for line in rescued if line["seq"] <= 10)
