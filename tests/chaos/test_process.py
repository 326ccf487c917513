"""One service as a real process: its command line and env, health, faults, and teardown
that leaves no process, no process-group member and no zombie."""

from __future__ import annotations

import os
import re
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stormproof.chaos.errors import ChaosError
from stormproof.chaos.ports import reserved_ports
from stormproof.chaos.process import (
    FakeClock,
    ServiceProcess,
    command_line,
    faketime_library,
)
from stormproof.manifest import load_manifest
from tests.chaos.apps import SERVICE, gone, group_gone, reaped, soon
from tests.chaos.upstreams import run

HEALTHY_WITHIN_S = 10.0


@pytest.fixture
def spawned() -> Iterator[list[ServiceProcess]]:
    """Processes a test started; whatever a failing test leaves is killed afterwards."""
    processes: list[ServiceProcess] = []
    yield processes
    for process in processes:
        process.kill_now()


def free_port() -> int:
    with reserved_ports(1) as ports:
        return ports[0]


def make(
    spawned: list[ServiceProcess], tmp_path: Path, argv: list[str], port: int | None = None
) -> ServiceProcess:
    process = ServiceProcess(
        "svc",
        argv,
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        port=port or free_port(),
        health="/health",
        log_path=tmp_path / "logs" / "svc.log",
    )
    spawned.append(process)
    return process


def service(spawned: list[ServiceProcess], tmp_path: Path, *options: str) -> ServiceProcess:
    """The test app, on a free port, with ``options``."""
    port = free_port()
    argv = [sys.executable, str(SERVICE), "--port", str(port), *options]
    return make(spawned, tmp_path, argv, port)


def python(spawned: list[ServiceProcess], tmp_path: Path, code: str) -> ServiceProcess:
    return make(spawned, tmp_path, [sys.executable, "-c", code])


async def started(process: ServiceProcess) -> ServiceProcess:
    process.start()
    await process.wait_healthy(time.monotonic() + HEALTHY_WITHIN_S)
    return process


async def whoami(process: ServiceProcess) -> dict[str, object]:
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.get(f"http://127.0.0.1:{process.port}/whoami", timeout=5)
    answer: dict[str, object] = response.json()
    return answer


# -- command line and environment --------------------------------------------------------------


def test_placeholders_are_filled_word_by_word() -> None:
    argv = command_line(
        "python app.py --port {port} --db {data}/x.db", port=8123, data_dir=Path("/runs/a b")
    )
    assert argv == [sys.executable, "app.py", "--port", "8123", "--db", "/runs/a b/x.db"]


@pytest.mark.parametrize(
    ("run_line", "argv"),
    [
        ("python3 -m app", [sys.executable, "-m", "app"]),
        ("uvicorn app:app --port {port}", ["uvicorn", "app:app", "--port", "1"]),
        ("env python app.py", ["env", "python", "app.py"]),
        ("python2 app.py", ["python2", "app.py"]),
    ],
)
def test_only_a_leading_python_becomes_the_running_interpreter(
    run_line: str, argv: list[str]
) -> None:
    assert command_line(run_line, port=1, data_dir=Path("/d")) == argv


def test_a_manifest_service_gets_its_env_callee_urls_and_no_proxy(tmp_path: Path) -> None:
    (tmp_path / "stormproof.yaml").write_text(
        "version: 1\nname: x\nservices:\n"
        "  api:\n"
        "    run: python app.py --port {port}\n"
        "    health: /ready\n"
        "    env: {DB: '{data}/api.db', SELF: 'http://127.0.0.1:{port}', WORKERS: 2}\n"
        "    calls: {pay: {env: PAY_URL}}\n"
        "  pay:\n"
        "    run: python pay.py --port {port}\n"
    )
    api = load_manifest(tmp_path / "stormproof.yaml").services["api"]
    process = ServiceProcess.for_service(
        api,
        cwd=tmp_path,
        port=8123,
        data_dir=tmp_path / "data",
        logs_dir=tmp_path / "logs",
        callee_urls={"PAY_URL": "http://127.0.0.1:9999"},
    )
    assert process.argv == [sys.executable, "app.py", "--port", "8123"]
    assert process.health_url == "http://127.0.0.1:8123/ready"
    assert process.log_path == tmp_path / "logs" / "api.log"
    assert process.env["DB"] == f"{tmp_path}/data/api.db"
    assert process.env["SELF"] == "http://127.0.0.1:8123"
    assert process.env["WORKERS"] == "2"
    assert process.env["PAY_URL"] == "http://127.0.0.1:9999"
    assert "127.0.0.1" in process.env["NO_PROXY"].split(",")
    assert "127.0.0.1" in process.env["no_proxy"].split(",")
    assert "LD_PRELOAD" not in process.env or process.env["LD_PRELOAD"] == os.environ.get(
        "LD_PRELOAD"
    )


def test_a_service_without_run_cannot_become_a_process(tmp_path: Path) -> None:
    (tmp_path / "stormproof.yaml").write_text("version: 1\nname: x\nservices:\n  api: {}\n")
    api = load_manifest(tmp_path / "stormproof.yaml").services["api"]
    with pytest.raises(ChaosError, match=r"^service api has no run command; chaos starts every"):
        ServiceProcess.for_service(
            api, cwd=tmp_path, port=1, data_dir=tmp_path, logs_dir=tmp_path, callee_urls={}
        )


# -- lifecycle ---------------------------------------------------------------------------------


def test_stop_ends_the_whole_process_group_and_reaps_it(
    spawned: list[ServiceProcess], tmp_path: Path
) -> None:
    async def body() -> None:
        process = await started(service(spawned, tmp_path, "--child"))
        pid, child = process.pid, (await whoami(process))["child"]
        assert isinstance(pid, int) and isinstance(child, int)
        assert process.alive and not gone(child)

        await process.stop()

        assert not process.alive
        assert reaped(pid) and soon(lambda: gone(child) and group_gone(pid))
        await process.stop()  # idempotent

    run(body())


def test_kill_ends_the_whole_process_group_at_once(
    spawned: list[ServiceProcess], tmp_path: Path
) -> None:
    async def body() -> None:
        process = await started(service(spawned, tmp_path, "--child", "--ignore-term"))
        pid, child = process.pid, (await whoami(process))["child"]
        assert isinstance(pid, int) and isinstance(child, int)

        await process.kill()

        assert not process.alive
        assert reaped(pid) and soon(lambda: gone(child) and group_gone(pid))

    run(body())


def test_stop_kills_a_process_that_ignores_sigterm_after_the_grace(
    spawned: list[ServiceProcess], tmp_path: Path
) -> None:
    async def body() -> None:
        process = await started(service(spawned, tmp_path, "--ignore-term"))
        pid = process.pid
        assert pid is not None
        began = time.monotonic()

        await process.stop(grace=0.3)

        assert reaped(pid)
        assert time.monotonic() - began < 5

    run(body())


def test_kill_now_is_the_same_teardown_for_synchronous_code(
    spawned: list[ServiceProcess], tmp_path: Path
) -> None:
    async def body() -> None:
        process = await started(service(spawned, tmp_path, "--child"))
        pid, child = process.pid, (await whoami(process))["child"]
        assert isinstance(pid, int) and isinstance(child, int)
        process.pause()

        process.kill_now()

        assert reaped(pid) and soon(lambda: gone(child) and group_gone(pid))

    run(body())


def test_a_restart_keeps_the_earlier_output_in_the_log(
    spawned: list[ServiceProcess], tmp_path: Path
) -> None:
    async def body() -> None:
        process = await started(service(spawned, tmp_path))
        first = process.pid
        await process.kill()
        await started(process)
        assert process.pid != first

        log = process.log_path.read_text()
        assert re.search(r"--- stormproof: started at \+\d+\.\ds ---\nlistening on", log)
        assert re.search(r"--- stormproof: restarted at \+\d+\.\ds ---\nlistening on", log)
        assert log.index("started at") < log.index("restarted at")
        assert process.log_tail(1) == "GET /health"  # the last line: the health poll
        await process.stop()

    run(body())


def test_start_refuses_a_process_that_is_running(
    spawned: list[ServiceProcess], tmp_path: Path
) -> None:
    async def body() -> None:
        process = await started(service(spawned, tmp_path))
        with pytest.raises(RuntimeError, match="service svc is already running"):
            process.start()
        await process.stop()

    run(body())


def test_pause_makes_the_service_hang_until_resume(
    spawned: list[ServiceProcess], tmp_path: Path
) -> None:
    async def body() -> None:
        process = await started(service(spawned, tmp_path))
        process.pause()
        assert process.paused
        async with httpx.AsyncClient(trust_env=False) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.get(process.health_url, timeout=0.5)
            process.resume()
            assert not process.paused
            assert (await client.get(process.health_url, timeout=5)).status_code == 200

    run(body())


def test_stop_ends_a_paused_process(spawned: list[ServiceProcess], tmp_path: Path) -> None:
    async def body() -> None:
        process = await started(service(spawned, tmp_path))
        pid = process.pid
        assert pid is not None
        process.pause()

        await process.stop()

        assert reaped(pid) and not process.paused

    run(body())


# -- a process that does not get healthy -------------------------------------------------------


def test_an_exit_before_health_is_reported_with_the_log_tail(
    spawned: list[ServiceProcess], tmp_path: Path
) -> None:
    process = python(spawned, tmp_path, "import sys; print('boom: no config'); sys.exit(3)")
    process.start()
    with pytest.raises(ChaosError) as error:
        run(process.wait_healthy(time.monotonic() + HEALTHY_WITHIN_S))
    assert str(error.value) == "service svc exited with code 3 before it became healthy"
    assert "boom: no config" in error.value.detail
    assert str(process.log_path) in error.value.detail
    assert process.pid is not None and reaped(process.pid)


def test_death_by_a_signal_is_named(spawned: list[ServiceProcess], tmp_path: Path) -> None:
    process = python(spawned, tmp_path, "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    process.start()
    with pytest.raises(ChaosError, match=r"^service svc was killed by SIGKILL before it became"):
        run(process.wait_healthy(time.monotonic() + HEALTHY_WITHIN_S))


def test_a_port_in_use_is_named(spawned: list[ServiceProcess], tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        process = make(spawned, tmp_path, [sys.executable, str(SERVICE), "--port", str(port)], port)
        process.start()
        with pytest.raises(ChaosError) as error:
            run(process.wait_healthy(time.monotonic() + HEALTHY_WITHIN_S))
    assert str(error.value) == f"service svc exited with code 1: port {port} is in use"
    assert "Address already in use" in error.value.detail


def test_a_service_that_never_answers_200_times_out(
    spawned: list[ServiceProcess], tmp_path: Path
) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    process = make(spawned, tmp_path, argv, port)  # answers 404 for /health
    process.start()
    assert soon(lambda: "Serving HTTP" in process.log_tail(), within_s=10)
    with pytest.raises(ChaosError) as error:
        run(process.wait_healthy(time.monotonic() + 0.5))
    assert re.fullmatch(
        rf"service svc did not become healthy within \d+\.\ds of its start "
        rf"\(GET http://127\.0\.0\.1:{port}/health: status 404\)",
        str(error.value),
    )
    assert "GET /health" in error.value.detail  # http.server logs each request
    assert process.alive
    run(process.stop())
    assert process.pid is not None and reaped(process.pid)


def test_a_missing_program_is_reported(spawned: list[ServiceProcess], tmp_path: Path) -> None:
    process = make(spawned, tmp_path, [str(tmp_path / "no-such-program"), "--port", "1"])
    with pytest.raises(ChaosError) as error:
        process.start()
    assert str(error.value) == "service svc cannot be started: No such file or directory"
    assert "no-such-program --port 1" in error.value.detail
    assert process.pid is None and not process.alive
    run(process.stop())  # nothing to stop: no error


# -- clock -------------------------------------------------------------------------------------


def test_a_fake_clock_file_holds_a_signed_offset_in_seconds(tmp_path: Path) -> None:
    clock = FakeClock(Path("/nowhere/libfaketime.so.1"), tmp_path / "svc")
    clock.set(30)
    assert clock.file.read_text() == "+30.000\n"
    clock.set(-0.5)
    assert clock.file.read_text() == "-0.500\n"
    assert clock.env() == {"FAKETIME_TIMESTAMP_FILE": str(clock.file), "FAKETIME_NO_CACHE": "1"}


def test_a_clock_starts_unskewed_and_is_preloaded(
    spawned: list[ServiceProcess], tmp_path: Path
) -> None:
    clock = FakeClock(Path("/opt/libfaketime.so.1"), tmp_path / "svc")
    process = ServiceProcess(
        "svc",
        ["true"],
        cwd=tmp_path,
        env={"LD_PRELOAD": "/opt/other.so"},
        port=1,
        health="/health",
        log_path=tmp_path / "svc.log",
        clock=clock,
    )
    assert clock.file.read_text() == "+0.000\n"
    assert process.env["LD_PRELOAD"] == "/opt/libfaketime.so.1:/opt/other.so"
    assert process.env["FAKETIME_NO_CACHE"] == "1"
    assert "FAKETIME_DONT_FAKE_MONOTONIC" not in process.env


def test_skew_needs_a_process_started_with_clock_control(
    spawned: list[ServiceProcess], tmp_path: Path
) -> None:
    process = service(spawned, tmp_path)
    with pytest.raises(ChaosError, match=r"^service svc was started without clock control"):
        process.set_skew(30)
    process.clear_skew()  # nothing to clear: no error


def test_faketime_library_is_found_where_debian_puts_it() -> None:
    library = faketime_library()
    debian = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
    if not debian.exists():
        pytest.skip("libfaketime (Debian package faketime) is not installed")
    assert library == debian
