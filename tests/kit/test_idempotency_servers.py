"""Real uvicorn servers sharing one SQLite store: a key sent to two processes has one effect,
and a key locked by a killed process is taken over once its lock times out.

Each server gets a loopback socket that the test binds and hands down (``uvicorn --fd``), so
there is no window in which another program could take its port. Every server runs in its own
process group, killed by the fixture's finalizer."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from stormproof.kit.idempotency import SqliteIdempotencyStore
from tests.kit.apps.idempotent_app import create_app

ROOT = Path(__file__).resolve().parents[2]
APP = "tests.kit.apps.idempotent_app:from_env"
START_DEADLINE_S = 30.0
LOCK_TIMEOUT = 60.0


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, trust_env=False, timeout=30)


@dataclass
class Shared:
    """What the servers of one test share: the store, the effects log and the gate."""

    db: Path
    effects: Path
    gate: Path

    def effect_lines(self) -> list[str]:
        return self.effects.read_text().splitlines() if self.effects.exists() else []

    def wait_for_effects(self, count: int) -> None:
        deadline = time.monotonic() + START_DEADLINE_S
        while len(self.effect_lines()) < count:
            assert time.monotonic() < deadline, f"only {self.effect_lines()} after waiting"
            time.sleep(0.01)


@pytest.fixture
def shared(tmp_path: Path) -> Shared:
    return Shared(tmp_path / "keys.db", tmp_path / "effects.log", tmp_path / "gate")


@pytest.fixture
def serve(tmp_path: Path, shared: Shared) -> Iterator[Callable[..., list[Server]]]:
    """Start servers (``serve(*names)``), healthy on return; all are killed at the end."""
    pytest.importorskip("uvicorn")
    servers: list[Server] = []

    def serve(name: str) -> Server:
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            IDEMPOTENCY_DB=str(shared.db),
            EFFECTS_PATH=str(shared.effects),
            GATE_PATH=str(shared.gate),
        )
        log = tmp_path / f"{name}.log"
        with socket.create_server(("127.0.0.1", 0)) as listener, log.open("wb") as out:
            fd = listener.fileno()
            command = [sys.executable, "-m", "uvicorn", "--factory", APP, "--fd", str(fd)]
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=[fd],
                start_new_session=True,
            )
            url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        server = Server(name, process, url, log)
        servers.append(server)
        return server

    def wait_healthy(server: Server) -> None:
        deadline = time.monotonic() + START_DEADLINE_S
        with server.client() as client:
            while True:
                assert server.process.poll() is None, server.log.read_text()
                try:
                    if client.get("/health", timeout=1).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"{server.name}: {server.log.read_text()}"
                time.sleep(0.05)

    def start(*names: str) -> list[Server]:
        started = [serve(name) for name in names]
        for server in started:
            wait_healthy(server)
        return started

    try:
        yield start
    finally:
        for server in servers:
            kill(server.process)


def kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


class Call(threading.Thread):
    """One request in the background, its response (or error) kept."""

    def __init__(self, server: Server, key: str, amount: int = 100) -> None:
        super().__init__(daemon=True)
        self.server, self.key, self.amount = server, key, amount
        self.response: httpx.Response | None = None
        self.error: Exception | None = None
        self.start()

    def run(self) -> None:
        try:
            with self.server.client() as client:
                self.response = post(client, self.key, self.amount)
        except Exception as error:
            self.error = error

    def result(self) -> httpx.Response:
        self.join(timeout=60)
        assert self.response is not None, self.error
        return self.response


def post(client: httpx.Client, key: str, amount: int = 100) -> httpx.Response:
    return client.post("/charges", json={"amount": amount}, headers={"Idempotency-Key": key})


def test_one_key_sent_to_two_servers_has_one_effect(
    serve: Callable[..., list[Server]], shared: Shared
) -> None:
    a, b = serve("a", "b")
    first = Call(a, "order-1")
    shared.wait_for_effects(1)  # a's handler runs, held at the gate
    with b.client() as client:
        conflict = post(client, "order-1")
        assert conflict.status_code == 409 and conflict.headers["retry-after"] == "1"
        shared.gate.touch()
        original = first.result()
        replay = post(client, "order-1")
    assert original.status_code == replay.status_code == 201
    assert replay.content == original.content
    assert replay.headers["idempotent-replayed"] == "true"
    assert [line.split()[0] for line in shared.effect_lines()] == ["charge"]

    burst = [Call(server, "order-2") for server in (a, b) * 8]
    answers = [call.result() for call in burst]
    assert {answer.status_code for answer in answers} <= {201, 409}
    assert len({answer.content for answer in answers if answer.status_code == 201}) == 1
    assert len(shared.effect_lines()) == 2, "order-2 ran once, on either server"


def test_a_key_locked_by_a_killed_server_is_taken_over_after_the_lock_timeout(
    serve: Callable[..., list[Server]], shared: Shared
) -> None:
    [doomed] = serve("doomed")
    call = Call(doomed, "order-1")
    shared.wait_for_effects(1)  # the handler is inside its effect
    kill(doomed.process)
    call.join(timeout=30)
    assert call.response is None and isinstance(call.error, httpx.TransportError)

    effects: list[str] = []
    died_at = time.time()

    async def retry(now: float) -> httpx.Response:
        app = create_app(
            effect=effects.append,
            store=SqliteIdempotencyStore(shared.db),
            lock_timeout=LOCK_TIMEOUT,
            clock=lambda: now,
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://retry") as client:
            return await client.post(
                "/charges", json={"amount": 100}, headers={"Idempotency-Key": "order-1"}
            )

    assert asyncio.run(retry(died_at)).status_code == 409
    assert effects == []
    taken = asyncio.run(retry(died_at + LOCK_TIMEOUT))
    assert taken.status_code == 201
    assert effects == ["charge"]
    assert len(shared.effect_lines()) == 1, "the killed server's handler ran once"
