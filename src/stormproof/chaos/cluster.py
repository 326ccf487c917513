"""The system under test, running: every service of a manifest as a real process on loopback,
each edge of the call graph (and the client's edge into the entry service) through a
:class:`FaultProxy` of its own, and the process faults (kill, pause, clock skew).

A caller finds a callee through the env var its ``calls`` entry names; the cluster points
that var at the edge's proxy, so a fault on ``booking->payments`` touches only the traffic
booking sends to payments. The services' own ports (:attr:`Cluster.urls`) stay reachable
directly, for reading the final state after the faults.
"""

from __future__ import annotations

import asyncio
import atexit
import random
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from stormproof.chaos.errors import ChaosError
from stormproof.chaos.ports import HOST, port_in_use, reserved_ports
from stormproof.chaos.process import FakeClock, ServiceProcess, faketime_library
from stormproof.chaos.proxy import FaultProxy
from stormproof.chaos.reaper import Reaper
from stormproof.chaos.topology import Edge, Topology, edge_name
from stormproof.manifest import Manifest, Service
from stormproof.manifest.chaos import CLIENT


def _tells_port(service: Service) -> bool:
    return "{port}" in (service.run or "") or any("{port}" in v for v in service.env.values())


class Cluster:
    """Start with ``async with Cluster(...) as cluster:`` (or :meth:`start` and
    :meth:`close`). ``rng`` seeds each edge proxy's random choices."""

    def __init__(
        self,
        manifest: Manifest,
        run_dir: Path,
        *,
        entry: str,
        rng: random.Random,
        clock_control: bool = False,
        health_timeout: float = 30.0,
    ) -> None:
        if entry not in manifest.services:
            raise ChaosError(f"entry service {entry!r} is not a service of the manifest")
        self.manifest = manifest
        self.entry = entry
        self.run_dir = run_dir.absolute()
        self.data_dir = self.run_dir / "data"
        self.logs_dir = self.run_dir / "logs"
        self.clock_control = clock_control
        self.health_timeout = health_timeout
        self.urls: dict[str, str] = {}
        self.proxies: dict[Edge, FaultProxy] = {}
        self.processes: dict[str, ServiceProcess] = {}
        self._rng = rng
        self._reaper: Reaper | None = None
        # Kept apart from the proxies, whose ports are gone once they are closed.
        self._proxy_urls: dict[Edge, str] = {}
        self.topology = Topology.from_manifest(manifest, entry)
        if (CLIENT, entry) in self.topology.service_edges:
            raise ChaosError(
                f"the edge {CLIENT}->{entry} is the workload's; "
                f"service {CLIENT} may not call {entry} in a chaos run"
            )

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Cluster:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Start every proxy and process and wait until every service is healthy. On any
        failure, cancellation included, whatever started is torn down before it propagates."""
        if self.processes or self.proxies:
            raise RuntimeError("cluster already started")
        library = self._clock_library()
        fixed = self._check_services()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        atexit.register(self.stop_now)
        self._reaper = Reaper()
        try:
            await self._launch(fixed, library)
            await _all_healthy(self.processes.values(), time.monotonic() + self.health_timeout)
        except BaseException:
            await self.close()
            raise

    def _clock_library(self) -> Path | None:
        if not self.clock_control:
            return None
        library = faketime_library()
        if library is None:
            raise ChaosError(
                "clock skew needs libfaketime (Debian package faketime); it is not installed"
            )
        return library

    def _check_services(self) -> dict[str, int]:
        """Refuse a manifest that cannot run before anything starts; return the fixed ports."""
        fixed: dict[str, int] = {}
        for name, service in self.manifest.services.items():
            if service.run is None:
                raise ChaosError(
                    f"service {name} has no run command; "
                    "chaos starts every service from its run command"
                )
            if service.port is not None:
                fixed[name] = service.port
            elif not _tells_port(service):
                raise ChaosError(
                    f"service {name}: its run command has no {{port}} and it declares no port: "
                    "(put {port} in its run command or env, or declare its fixed port:)"
                )
        claimed: dict[int, str] = {}
        for name, port in fixed.items():
            if port in claimed:
                raise ChaosError(f"services {claimed[port]} and {name} both declare port {port}")
            claimed[port] = name
            if port_in_use(port):
                raise ChaosError(f"port {port} (service {name}) is in use by another process")
        return fixed

    async def _launch(self, fixed: dict[str, int], library: Path | None) -> None:
        names = list(self.manifest.services)
        free = [name for name in names if name not in fixed]
        with reserved_ports(len(free), avoid=set(fixed.values())) as ports:
            port_of = {**fixed, **dict(zip(free, ports, strict=True))}
            for edge in self.topology.edges:
                # One generator per edge, drawn in a fixed order: an edge's choices do not
                # depend on how much traffic the other edges happened to carry.
                rng = random.Random(self._rng.getrandbits(64))
                self.proxies[edge] = proxy = FaultProxy(HOST, port_of[edge[1]], rng=rng)
                await proxy.start()
                self._proxy_urls[edge] = f"http://{HOST}:{proxy.port}"
        origin = time.monotonic()
        for name in names:
            self.urls[name] = f"http://{HOST}:{port_of[name]}"
            self.processes[name] = ServiceProcess.for_service(
                self.manifest.services[name],
                cwd=self.manifest.root,
                port=port_of[name],
                data_dir=self.data_dir,
                logs_dir=self.logs_dir,
                callee_urls=self._callee_urls(name),
                clock=self._clock(name, library),
                origin=origin,
                reaper=self._reaper,
            )
        for process in self.processes.values():
            process.start()

    def _callee_urls(self, name: str) -> dict[str, str]:
        calls = self.manifest.services[name].calls
        return {call.env: self._proxy_urls[(name, callee)] for callee, call in calls.items()}

    def _clock(self, name: str, library: Path | None) -> FakeClock | None:
        if library is None:
            return None
        clocks = self.run_dir / "clock"
        clocks.mkdir(parents=True, exist_ok=True)
        return FakeClock(library, clocks / name)

    async def close(self) -> None:
        """Close every proxy and stop every process. Idempotent, and safe after a failed or
        cancelled start; if it is itself cancelled, every process is still killed."""
        try:
            await asyncio.gather(*(proxy.close() for proxy in self.proxies.values()))
            await asyncio.gather(*(process.stop() for process in self.processes.values()))
        finally:
            self.stop_now()
            atexit.unregister(self.stop_now)
            if self._reaper is not None:
                self._reaper.close()

    def stop_now(self) -> None:
        """SIGKILL and reap every process at once, from synchronous code: the exit handler
        for an interpreter that ends without closing the cluster."""
        for process in self.processes.values():
            process.kill_now()

    # -- topology --------------------------------------------------------------------------

    @property
    def entry_url(self) -> str:
        """The client's way in: the proxy in front of the entry service."""
        url = self._proxy_urls.get((CLIENT, self.entry))
        if url is None:
            raise RuntimeError("cluster not started")
        return url

    def edges_into(self, service: str) -> list[Edge]:
        return list(self.topology.edges_into(service))

    def counters(self) -> dict[str, dict[str, Any]]:
        """What each edge's proxy saw, keyed ``caller->callee`` (JSON-ready)."""
        return {edge_name(edge): proxy.counters.as_dict() for edge, proxy in self.proxies.items()}

    # -- process faults --------------------------------------------------------------------

    def _process(self, service: str) -> ServiceProcess:
        process = self.processes.get(service)
        if process is None:
            raise ChaosError(f"no running service named {service!r}")
        return process

    async def kill(self, service: str) -> None:
        await self._process(service).kill()

    async def restart(self, service: str) -> None:
        """Start ``service`` again (same port, env and data) and wait until it is healthy;
        a live one is killed first."""
        process = self._process(service)
        await process.kill()
        process.start()
        await process.wait_healthy(time.monotonic() + self.health_timeout)

    def pause(self, service: str) -> None:
        self._process(service).pause()

    def resume(self, service: str) -> None:
        self._process(service).resume()

    def set_skew(self, service: str, offset_s: float) -> None:
        self._process(service).set_skew(offset_s)

    def clear_skew(self, service: str) -> None:
        self._process(service).clear_skew()

    def heal(self) -> None:
        """End every fault that ends at once: proxy faults, pauses, clock skews."""
        for proxy in self.proxies.values():
            proxy.heal()
        for process in self.processes.values():
            process.resume()
            process.clear_skew()

    async def heal_all(self) -> None:
        """:meth:`heal`, then start every dead service again and wait until every service
        is healthy (one that was being restarted when its fault was cut short included)."""
        self.heal()
        for process in self.processes.values():
            if not process.alive:
                process.start()
        await _all_healthy(self.processes.values(), time.monotonic() + self.health_timeout)


async def _all_healthy(processes: Iterable[ServiceProcess], deadline: float) -> None:
    """Wait for every process to be healthy; the first failure (a crash is seen at once,
    not after the others' timeouts) is raised and the other waits are cancelled."""
    tasks = [asyncio.create_task(process.wait_healthy(deadline)) for process in processes]
    if not tasks:
        return
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in tasks:
            error = task.exception() if task in done else None
            if error is not None:
                raise error
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
