"""A throwaway redis-server for tests: started on a free loopback port with no persistence,
in a temporary directory, and shut down (then killed, if it lingers) on the way out.

:class:`Unavailable` says why no server can be had (no binary, no Python client), for the
test to skip with that reason."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.servers import free_port

START_TIMEOUT_S = 15.0


class Unavailable(Exception):
    """No Redis server can be started here; the message says why."""


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}: {log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(64).startswith(b"+PONG"):
                return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer on port {port} in {START_TIMEOUT_S} s")


@contextlib.contextmanager
def redis_server(port: int | None = None) -> Iterator[str]:
    """Start a server on ``port`` (a free one by default: a test that restarts a server it
    killed gives the old one); yield its URL (``redis://127.0.0.1:PORT/0``)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise Unavailable("redis-server is not installed (apt-get install redis-server)")
    try:
        import redis  # noqa: F401 - only to say clearly that the client is missing
    except ImportError:
        raise Unavailable("the redis Python client is not installed (pip install redis)") from None
    base = Path(tempfile.mkdtemp(prefix="stormproof-redis-"))
    log = base / "server.log"
    port = free_port() if port is None else port
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(base), "--logfile", str(log)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_up(port, process, log)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(base, ignore_errors=True)
