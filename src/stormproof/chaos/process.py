"""One service of a chaos run as a real OS process: started from the manifest's ``run``,
supervised, killed, paused, its clock skewed, and always reaped.

Each process leads a process group of its own (``start_new_session``), so a signal reaches
whatever it started too (a reloader's worker, a shell's child), and so does the teardown.
The group leader is reaped only after the group's last signal: until then its zombie keeps
the group id from being reused, so a late ``killpg`` cannot reach a stranger.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from stormproof.chaos.errors import ChaosError
from stormproof.chaos.ports import HOST
from stormproof.chaos.reaper import Reaper
from stormproof.manifest import Service

STOP_GRACE_S = 3.0
"""How long a process may take to exit after SIGTERM before it gets SIGKILL."""
LOG_TAIL_LINES = 20
_EXIT_POLL_S = 0.02
_HEALTH_POLL_S = 0.05
_HEALTH_REQUEST_S = 1.0
_REAP_WAIT_S = 5.0
_PORT_IN_USE = ("address already in use", "errno 98", "eaddrinuse")
_PYTHON_NAMES = frozenset({"python", "python3"})
# Loopback must never go through a proxy the environment configures for the outside world.
_LOOPBACK_NAMES = "127.0.0.1,localhost"


def faketime_library() -> Path | None:
    """Where libfaketime is installed (Debian package faketime), or None."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    bases = [Path("/usr/lib") / multiarch, Path("/usr/lib"), Path("/usr/lib64")]
    bases += [Path("/usr/local/lib") / multiarch, Path("/usr/local/lib")]
    for base in bases:
        for candidate in (base / "faketime" / "libfaketime.so.1", base / "libfaketime.so.1"):
            if candidate.is_file():
                return candidate
    return None


@dataclass(frozen=True)
class FakeClock:
    """A process's clock offset, through libfaketime preloaded into it.

    The offset lives in ``file``, which libfaketime reads again at every clock call
    (``FAKETIME_NO_CACHE``), so a new offset applies at once to the running process. The
    monotonic clocks move with it: libfaketime 0.9.10 with ``FAKETIME_DONT_FAKE_MONOTONIC=1``
    makes Python's ``time.sleep`` fail with EINVAL, so that setting is left out on purpose."""

    library: Path
    file: Path

    def env(self) -> dict[str, str]:
        return {
            "FAKETIME_TIMESTAMP_FILE": str(self.file),
            "FAKETIME_NO_CACHE": "1",
        }

    def set(self, offset_s: float) -> None:
        """Make the clock run ``offset_s`` seconds ahead (behind, when negative) of real time."""
        # libfaketime reads "+30.000" / "-0.500" as an offset in seconds from the real time.
        # Written whole and renamed into place, so a reader never sees half a line.
        partial = self.file.with_name(self.file.name + ".new")
        partial.write_text(f"{offset_s:+.3f}\n", encoding="utf-8")
        partial.replace(self.file)


def substitute(text: str, *, port: int, data_dir: Path) -> str:
    """``text`` with the manifest placeholders ``{port}`` and ``{data}`` filled in."""
    return text.replace("{port}", str(port)).replace("{data}", str(data_dir))


def command_line(run: str, *, port: int, data_dir: Path) -> list[str]:
    """The argv for a manifest ``run``: split like a shell would, placeholders filled in word
    by word (so a data directory with a space stays one word), and a leading ``python`` or
    ``python3`` replaced by the running interpreter, whose environment has the project's
    dependencies."""
    argv = [substitute(word, port=port, data_dir=data_dir) for word in shlex.split(run)]
    if argv and argv[0] in _PYTHON_NAMES:
        argv[0] = sys.executable
    return argv


def _with_loopback(existing: str | None) -> str:
    return f"{existing},{_LOOPBACK_NAMES}" if existing else _LOOPBACK_NAMES


class ServiceProcess:
    """One service's process. ``start`` it, ``wait_healthy``, then fault it at will;
    ``stop`` (or ``kill_now`` from synchronous code) always leaves nothing behind.

    Output (stdout and stderr) is appended to ``log_path`` with a marker line at every start,
    so a restart keeps what the earlier process wrote. ``origin`` is the run's start on the
    ``time.monotonic`` clock, for those markers."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        port: int,
        health: str,
        log_path: Path,
        clock: FakeClock | None = None,
        origin: float | None = None,
        reaper: Reaper | None = None,
    ) -> None:
        if not argv:
            raise ChaosError(f"service {name} has an empty run command")
        self.name = name
        self.argv = argv
        self.cwd = cwd
        self.port = port
        self.health_url = f"http://{HOST}:{port}/{health.lstrip('/')}"
        self.log_path = log_path
        self.clock = clock
        self.env = dict(env)
        if clock is not None:
            preload = self.env.get("LD_PRELOAD")
            self.env["LD_PRELOAD"] = f"{clock.library}:{preload}" if preload else str(clock.library)
            self.env.update(clock.env())
            clock.set(0)
        self._origin = time.monotonic() if origin is None else origin
        self._reaper = reaper
        self._popen: subprocess.Popen[bytes] | None = None
        self._starts = 0
        self._log_start = 0
        self._started_at = 0.0
        self._paused = False

    @classmethod
    def for_service(
        cls,
        service: Service,
        *,
        cwd: Path,
        port: int,
        data_dir: Path,
        logs_dir: Path,
        callee_urls: Mapping[str, str],
        clock: FakeClock | None = None,
        origin: float | None = None,
        reaper: Reaper | None = None,
    ) -> ServiceProcess:
        """The process for a manifest service. ``callee_urls`` maps each env var of its
        ``calls`` to the URL it should use (the edge's proxy); ``reaper``, if given, is told
        of every start, so the process dies with stormproof even if stormproof is killed."""
        if service.run is None:
            raise ChaosError(
                f"service {service.name} has no run command; "
                "chaos starts every service from its run command"
            )
        env = dict(os.environ)
        env["NO_PROXY"] = _with_loopback(env.get("NO_PROXY"))
        env["no_proxy"] = _with_loopback(env.get("no_proxy"))
        # A Python service's prints reach its log before it is killed, not with a full buffer.
        env["PYTHONUNBUFFERED"] = "1"
        env.update({k: substitute(v, port=port, data_dir=data_dir) for k, v in service.env.items()})
        env.update(callee_urls)
        return cls(
            service.name,
            command_line(service.run, port=port, data_dir=data_dir),
            cwd=cwd,
            env=env,
            port=port,
            health=service.health,
            log_path=logs_dir / f"{service.name}.log",
            clock=clock,
            origin=origin,
            reaper=reaper,
        )

    # -- state -----------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The current (or last) process's id; None before the first start."""
        return None if self._popen is None else self._popen.pid

    @property
    def alive(self) -> bool:
        return self._unreaped() and not self._exited()

    @property
    def paused(self) -> bool:
        return self._paused

    def _unreaped(self) -> bool:
        return self._popen is not None and self._popen.returncode is None

    def _exited(self) -> bool:
        """Whether the leader has exited, without reaping it (see the module docstring)."""
        if not self._unreaped():
            return True
        assert self._popen is not None
        flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
        try:
            return os.waitid(os.P_PID, self._popen.pid, flags) is not None
        except ChildProcessError:  # reaped behind our back: gone all the same
            return True

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the process (again, after it died or was killed: same command, env, port)."""
        if self.alive:
            raise RuntimeError(f"service {self.name} is already running")
        if self._unreaped():
            self._reap()
        self._starts += 1
        verb = "started" if self._starts == 1 else "restarted"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"--- stormproof: {verb} at +{self._elapsed():.1f}s ---\n".encode())
            log.flush()
            self._log_start = log.tell()
            try:
                self._popen = subprocess.Popen(
                    self.argv,
                    cwd=self.cwd,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as error:
                raise ChaosError(
                    f"service {self.name} cannot be started: {error.strerror or error}",
                    detail=f"command: {shlex.join(self.argv)}",
                ) from None
        if self._reaper is not None:
            self._reaper.watch(self._popen.pid)
        self._started_at = time.monotonic()
        self._paused = False

    async def wait_healthy(self, deadline: float) -> None:
        """Poll the health URL until it answers 200; raise ChaosError if the process exits
        first or ``deadline`` (on the ``time.monotonic`` clock) passes. A poll under way at
        the deadline is given its full second, so the error names a real last answer."""
        last = "no answer yet"
        async with httpx.AsyncClient(trust_env=False) as client:
            while True:
                if self._exited():
                    raise self._exit_error()
                if time.monotonic() >= deadline:
                    raise ChaosError(
                        f"service {self.name} did not become healthy within "
                        f"{time.monotonic() - self._started_at:.1f}s of its start "
                        f"(GET {self.health_url}: {last})",
                        detail=self._tail_detail(),
                    )
                try:
                    response = await client.get(self.health_url, timeout=_HEALTH_REQUEST_S)
                except httpx.HTTPError as error:
                    last = type(error).__name__
                else:
                    if response.status_code == 200:
                        return
                    last = f"status {response.status_code}"
                await asyncio.sleep(min(_HEALTH_POLL_S, max(0.0, deadline - time.monotonic())))

    async def kill(self) -> None:
        """SIGKILL the whole group and reap it: a crash, as abrupt as it gets."""
        if not self._unreaped():
            return
        self._signal(signal.SIGKILL)
        await self._wait_exit(_REAP_WAIT_S)
        self._reap()

    async def stop(self, grace: float = STOP_GRACE_S) -> None:
        """SIGTERM the group, SIGKILL what is left after ``grace`` seconds, reap. Idempotent."""
        if not self._unreaped():
            return
        self._signal(signal.SIGTERM)
        self.resume()  # a stopped process only acts on SIGTERM once it runs again
        await self._wait_exit(grace)
        self._reap()

    def kill_now(self) -> None:
        """:meth:`kill` for synchronous code (an exit handler): nothing may be left running."""
        if self._unreaped():
            self._reap()

    def pause(self) -> None:
        """SIGSTOP the group: the process keeps its sockets but answers nothing."""
        if self.alive:
            self._signal(signal.SIGSTOP)
            self._paused = True

    def resume(self) -> None:
        if self._paused:
            self._signal(signal.SIGCONT)
            self._paused = False

    def set_skew(self, offset_s: float) -> None:
        if self.clock is None:
            raise ChaosError(
                f"service {self.name} was started without clock control; cannot skew its clock"
            )
        self.clock.set(offset_s)

    def clear_skew(self) -> None:
        if self.clock is not None:
            self.clock.set(0)

    def _signal(self, signum: signal.Signals) -> None:
        assert self._popen is not None
        with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
            os.killpg(self._popen.pid, signum)

    async def _wait_exit(self, timeout: float) -> None:
        give_up = time.monotonic() + timeout
        while not self._exited() and time.monotonic() < give_up:
            await asyncio.sleep(_EXIT_POLL_S)

    def _reap(self) -> None:
        """SIGKILL whatever is left of the group (the leader's strays too), then reap it."""
        assert self._popen is not None
        self._signal(signal.SIGKILL)
        self._signal(signal.SIGCONT)
        self._paused = False
        # SIGKILL ends even a stopped process at once; only uninterruptible I/O delays it.
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout=_REAP_WAIT_S)
        if self._reaper is not None and self._popen.returncode is not None:
            self._reaper.forget(self._popen.pid)

    # -- output ----------------------------------------------------------------------------

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last ``lines`` lines of the service's log (every start of it)."""
        try:
            text = self.log_path.read_bytes()[-64 * 1024 :].decode("utf-8", "replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _output_since_start(self) -> str:
        with contextlib.suppress(FileNotFoundError), self.log_path.open("rb") as log:
            log.seek(self._log_start)
            return log.read().decode("utf-8", "replace")
        return ""

    def _tail_detail(self) -> str:
        tail = self.log_tail()
        return f"{self.log_path}, last lines:\n{tail}" if tail else f"{self.log_path} is empty"

    def _exit_error(self) -> ChaosError:
        self._reap()
        assert self._popen is not None
        code = self._popen.returncode
        if code is not None and code < 0:
            how = f"was killed by {signal.Signals(-code).name}"
        else:
            how = f"exited with code {code}"
        output = self._output_since_start().lower()
        if any(sign in output for sign in _PORT_IN_USE):
            message = f"service {self.name} {how}: port {self.port} is in use"
        else:
            message = f"service {self.name} {how} before it became healthy"
        return ChaosError(message, detail=self._tail_detail())

    def _elapsed(self) -> float:
        return time.monotonic() - self._origin
