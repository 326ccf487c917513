"""Start a travel example's services (naive or hardened) as real processes, without proxies.

Each service is launched from its manifest `run` command on a free loopback port (with
chaos's own placeholder and command-line helpers), with its manifest `env` (`{data}` → a
temporary directory) and the base URL of every service it `calls`. Every process gets its
own process group so the finalizer can stop it and anything it spawned.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from stormproof.chaos.ports import reserved_ports
from stormproof.chaos.process import command_line, substitute
from stormproof.manifest import load_manifest

TRAVEL_DIR = Path(__file__).resolve().parents[2] / "examples" / "travel"
TRAVEL_NAIVE_DIR = TRAVEL_DIR / "naive"
TRAVEL_HARDENED_DIR = TRAVEL_DIR / "hardened"
SERVICE_MODULES = ("fastapi", "uvicorn", "requests", "httpx", "tenacity")
HEALTH_DEADLINE_S = 30.0
HEALTH_POLL_S = 0.1
REQUEST_TIMEOUT_S = 30.0
STOP_GRACE_S = 5.0
LOG_TAIL_CHARS = 3000
# Loopback traffic must never be sent to a proxy configured in the environment.
LOOPBACK_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class ServiceProcess:
    name: str
    url: str
    health: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-LOG_TAIL_CHARS:]


@dataclass
class RunningSystem:
    """The started services, addressed by manifest name."""

    data_dir: Path
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def request(
        self,
        service: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One JSON request to a service: (status code, decoded body)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.services[service].url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with LOOPBACK_OPENER.open(request, timeout=REQUEST_TIMEOUT_S) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def get(self, service: str, path: str) -> tuple[int, Any]:
        return self.request(service, "GET", path)

    def post(
        self, service: str, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        return self.request(service, "POST", path, body, headers)


def balance(system: RunningSystem, customer: str) -> float:
    status, body = system.get("payments", f"/customers/{customer}")
    assert status == 200, body
    return body["balance"]


def seats_left(system: RunningSystem, flight: str) -> int:
    status, body = system.get("flights", f"/flights/{flight}")
    assert status == 200, body
    return body["seats_left"]


def rooms_left(system: RunningSystem, hotel: str) -> int:
    status, body = system.get("hotels", f"/hotels/{hotel}")
    assert status == 200, body
    return body["rooms_left"]


def wait_until_healthy(service: ServiceProcess, deadline: float) -> None:
    while True:
        if service.process.poll() is not None:
            pytest.fail(
                f"{service.name} exited with {service.process.returncode} before it was "
                f"healthy; its log:\n{service.log_tail()}"
            )
        try:
            with LOOPBACK_OPENER.open(service.url + service.health, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"{service.name} did not answer {service.health} with 200 within "
                f"{HEALTH_DEADLINE_S:.0f}s; its log:\n{service.log_tail()}"
            )
        time.sleep(HEALTH_POLL_S)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, then SIGKILL it if it is still there after a grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=STOP_GRACE_S)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait(timeout=STOP_GRACE_S)


@contextlib.contextmanager
def running(directory: Path, run_dir: Path) -> Iterator[RunningSystem]:
    """All the services of the example in ``directory``, healthy, on fresh databases."""
    for module in SERVICE_MODULES:
        pytest.importorskip(module, reason=f"the travel example's services need {module}")

    manifest = load_manifest(directory / "stormproof.yaml")
    system = RunningSystem(data_dir=run_dir / "data")
    system.data_dir.mkdir()
    with reserved_ports(len(manifest.services)) as free:
        ports = dict(zip(manifest.services, free, strict=True))
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}

    try:
        for name, service in manifest.services.items():
            assert service.run is not None
            env = dict(os.environ, NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
            for key, value in service.env.items():
                env[key] = substitute(value, port=ports[name], data_dir=system.data_dir)
            for callee, call in service.calls.items():
                env[call.env] = urls[callee]
            log_path = run_dir / f"{name}.log"
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    command_line(service.run, port=ports[name], data_dir=system.data_dir),
                    cwd=directory,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            system.services[name] = ServiceProcess(
                name, urls[name], service.health, process, log_path
            )
        deadline = time.monotonic() + HEALTH_DEADLINE_S
        for service in system.services.values():
            wait_until_healthy(service, deadline)
        yield system
    finally:
        for service in system.services.values():
            stop(service.process)


@pytest.fixture(scope="module")
def travel_naive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with running(TRAVEL_NAIVE_DIR, tmp_path_factory.mktemp("travel-naive")) as system:
        yield system


@pytest.fixture(scope="module")
def travel_hardened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with running(TRAVEL_HARDENED_DIR, tmp_path_factory.mktemp("travel-hardened")) as system:
        yield system
