"""What the chaos fault proxy costs with no fault set, on loopback.

Two measurements, each in interleaved rounds (every target once per round, in an order
rotated from round to round, so that machine noise hits them alike), every sample printed:

- across processes: a minimal HTTP/1.1 keep-alive upstream and one ``FaultProxy`` per mode
  (``http``, ``tcp``) each run in a process of their own; this process is the client and
  does N sequential GET round trips on one connection to each target: direct, and through
  each proxy. Per mode: the added p50 and p99 latency (medians of per-round differences
  against the same round's direct sample), throughput as a share of direct (median of
  per-round ratios), and the proxy process's CPU time per request;
- in one event loop: client, upstream and proxies share a loop, as the chaos cluster's
  proxies share the workload's. Per mode: the CPU time per request the proxy adds.

    .venv/bin/python benchmarks/proxy_latency.py [--rounds 15] [--requests 2000]
        [--modes http,tcp] [--json]

Target (issue 3): added p50 under 200 µs (Toxiproxy claims under 100 µs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar, get_args

from stormproof.chaos import FaultProxy
from stormproof.chaos.proxy import Protocol as Mode

MODES: tuple[Mode, ...] = get_args(Mode)
# Heads shaped like an httpx request and a uvicorn response.
REQUEST = (
    b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\n"
    b"Connection: keep-alive\r\nUser-Agent: python-httpx/0.27.0\r\n\r\n"
)
BODY = b'{"ok": true}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\ndate: Mon, 01 Jan 2024 00:00:00 GMT\r\nserver: uvicorn\r\n"
    b"content-length: "
    + str(len(BODY)).encode()
    + b"\r\ncontent-type: application/json\r\n\r\n"
    + BODY
)
WARMUP_REQUESTS = 200
T = TypeVar("T")
Sample = dict[str, Any]


class _Responder(asyncio.Protocol):
    """The cheapest keep-alive HTTP server that still frames requests: one reply per head."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.pending = b""

    def data_received(self, data: bytes) -> None:
        self.pending += data
        while b"\r\n\r\n" in self.pending:
            _, self.pending = self.pending.split(b"\r\n\r\n", 1)
            self.transport.write(RESPONSE)


def _rotated(round_number: int, targets: Sequence[T]) -> list[T]:
    shift = round_number % len(targets)
    return [*targets[shift:], *targets[:shift]]


def _median_over_rounds(
    samples: list[Sample], target: str, figure: Callable[[Sample], float]
) -> float:
    return statistics.median(figure(s) for s in samples if s["target"] == target)


def _median_against_direct(
    samples: list[Sample], target: str, compare: Callable[[Sample, Sample], float]
) -> float:
    """The median over rounds of ``compare(target's sample, direct sample)``."""
    direct = {s["round"]: s for s in samples if s["target"] == "direct"}
    return statistics.median(
        compare(s, direct[s["round"]]) for s in samples if s["target"] == target
    )


# -- across processes --------------------------------------------------------------------


async def _serve_upstream(control: Connection) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Responder, "127.0.0.1", 0)
    control.send(server.sockets[0].getsockname()[1])
    await asyncio.Event().wait()


def _answer_cpu_queries(control: Connection) -> None:
    """Reply to each query with this process's CPU time (s). A thread blocked in recv()
    holds no GIL, so it costs the proxy's event loop nothing between queries."""
    while True:
        try:
            control.recv()
        except EOFError:
            return
        control.send(time.process_time())


async def _serve_proxy(mode: Mode, upstream_port: int, control: Connection) -> None:
    proxy = await FaultProxy("127.0.0.1", upstream_port, protocol=mode).start()
    control.send(proxy.port)
    threading.Thread(target=_answer_cpu_queries, args=(control,), daemon=True).start()
    await asyncio.Event().wait()


def _run_upstream(control: Connection) -> None:
    asyncio.run(_serve_upstream(control))


def _run_proxy(mode: Mode, upstream_port: int, control: Connection) -> None:
    asyncio.run(_serve_proxy(mode, upstream_port, control))


def _start(target: Any, *args: Any) -> tuple[BaseProcess, Connection, int]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=target, args=(*args, theirs), daemon=True)
    process.start()
    deadline = time.monotonic() + 30
    while not ours.poll(0.1):
        if not process.is_alive() or time.monotonic() > deadline:
            process.terminate()
            raise RuntimeError(f"{target.__name__} did not report its port (see above)")
    port: int = ours.recv()
    return process, ours, port


def _round_trips(port: int, requests: int) -> tuple[list[int], float]:
    """Latencies (ns) of ``requests`` sequential round trips, and their wall time (s)."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        latencies = []
        started = time.perf_counter()
        for index in range(WARMUP_REQUESTS + requests):
            if index == WARMUP_REQUESTS:
                started = time.perf_counter()
            sent = time.perf_counter_ns()
            sock.sendall(REQUEST)
            reply = b""
            while len(reply) < len(RESPONSE):
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError(f"port {port} closed the connection mid-benchmark")
                reply += chunk
            if index >= WARMUP_REQUESTS:
                latencies.append(time.perf_counter_ns() - sent)
            if reply != RESPONSE:
                raise ConnectionError(f"port {port} answered {reply[:80]!r}")
        return latencies, time.perf_counter() - started


def _quantile_us(latencies: list[int], q: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000


class _Target:
    """Somewhere to send requests: the upstream itself, or a proxy process in front of it."""

    def __init__(self, name: str, port: int, control: Connection | None = None) -> None:
        self.name = name
        self.port = port
        self.control = control

    def _cpu_s(self) -> float:
        assert self.control is not None
        self.control.send(None)
        cpu: float = self.control.recv()
        return cpu

    def sample(self, number: int, requests: int) -> Sample:
        cpu_before = self._cpu_s() if self.control else 0.0
        latencies, elapsed = _round_trips(self.port, requests)
        sample: Sample = {
            "round": number,
            "target": self.name,
            "p50_us": _quantile_us(latencies, 0.50),
            "p99_us": _quantile_us(latencies, 0.99),
            "requests_per_s": requests / elapsed,
        }
        if self.control:
            cpu = self._cpu_s() - cpu_before
            sample["proxy_cpu_us_per_request"] = cpu / (WARMUP_REQUESTS + requests) * 1e6
        return sample


def _measure_across_processes(
    rounds: int, requests: int, modes: list[Mode], echo: bool
) -> list[Sample]:
    processes: list[BaseProcess] = []
    try:
        process, _, upstream_port = _start(_run_upstream)
        processes.append(process)
        targets = [_Target("direct", upstream_port)]
        for mode in modes:
            process, control, port = _start(_run_proxy, mode, upstream_port)
            processes.append(process)
            targets.append(_Target(mode, port, control))
        samples = []
        for number in range(1, rounds + 1):
            for target in _rotated(number, targets):
                sample = target.sample(number, requests)
                samples.append(sample)
                if echo:
                    cpu = sample.get("proxy_cpu_us_per_request")
                    print(
                        f"processes  round {number:2} {target.name:6}"
                        f" p50 {sample['p50_us']:7.1f} µs  p99 {sample['p99_us']:7.1f} µs"
                        f"  {sample['requests_per_s']:6.0f} req/s"
                        + (f"  proxy cpu {cpu:5.1f} µs/req" if cpu is not None else ""),
                        flush=True,
                    )
        return samples
    finally:
        for process in processes:
            process.terminate()
            process.join(timeout=10)


def _summarize_across_processes(samples: list[Sample], modes: list[Mode]) -> dict[str, Any]:
    figures = ("p50_us", "p99_us", "requests_per_s")
    summary: dict[str, Any] = {
        "direct": {f: _median_over_rounds(samples, "direct", lambda s, f=f: s[f]) for f in figures}
    }
    for mode in modes:
        summary[mode] = {
            **{f: _median_over_rounds(samples, mode, lambda s, f=f: s[f]) for f in figures},
            "added_p50_us": _median_against_direct(
                samples, mode, lambda s, d: s["p50_us"] - d["p50_us"]
            ),
            "added_p99_us": _median_against_direct(
                samples, mode, lambda s, d: s["p99_us"] - d["p99_us"]
            ),
            "throughput_ratio": _median_against_direct(
                samples, mode, lambda s, d: s["requests_per_s"] / d["requests_per_s"]
            ),
            "proxy_cpu_us_per_request": _median_over_rounds(
                samples, mode, lambda s: s["proxy_cpu_us_per_request"]
            ),
        }
    return summary


# -- in one event loop -------------------------------------------------------------------


class _Pinger(asyncio.Protocol):
    """A client that sends the next request as soon as the whole answer to the last is in,
    and resolves ``done`` with the process's CPU time (s) over the ``requests`` after the
    warm-up ones."""

    def __init__(self, requests: int, done: asyncio.Future[float]) -> None:
        self.measured = requests
        self.left = WARMUP_REQUESTS + requests
        self.done = done
        self.unread = 0
        self.started = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(REQUEST)

    def data_received(self, data: bytes) -> None:
        self.unread += len(data)
        if self.unread < len(RESPONSE):
            return
        self.unread -= len(RESPONSE)
        self.left -= 1
        if self.left == self.measured:
            self.started = time.process_time()
        if self.left:
            self.transport.write(REQUEST)
        else:
            self.done.set_result(time.process_time() - self.started)


async def _loop_cpu_per_request(port: int, requests: int) -> float:
    """This process's CPU µs per request over ``requests`` sequential round trips."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[float] = loop.create_future()
    transport, _ = await loop.create_connection(lambda: _Pinger(requests, done), "127.0.0.1", port)
    try:
        return await asyncio.wait_for(done, 60) / requests * 1e6
    finally:
        transport.close()


async def _measure_in_one_loop(
    rounds: int, requests: int, modes: list[Mode], echo: bool
) -> list[Sample]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Responder, "127.0.0.1", 0)
    proxies: list[FaultProxy] = []
    try:
        upstream_port = server.sockets[0].getsockname()[1]
        targets = [("direct", upstream_port)]
        for mode in modes:
            proxies.append(await FaultProxy("127.0.0.1", upstream_port, protocol=mode).start())
            targets.append((mode, proxies[-1].port))
        samples = []
        for number in range(1, rounds + 1):
            for name, port in _rotated(number, targets):
                cpu = await _loop_cpu_per_request(port, requests)
                samples.append({"round": number, "target": name, "cpu_us_per_request": cpu})
                if echo:
                    print(f"one loop   round {number:2} {name:6} cpu {cpu:5.1f} µs/req", flush=True)
        return samples
    finally:
        for proxy in proxies:
            await proxy.close()
        server.close()


def _summarize_in_one_loop(samples: list[Sample], modes: list[Mode]) -> dict[str, Any]:
    def cpu(target: str) -> float:
        return _median_over_rounds(samples, target, lambda s: s["cpu_us_per_request"])

    summary: dict[str, Any] = {"direct": {"cpu_us_per_request": cpu("direct")}}
    for mode in modes:
        summary[mode] = {
            "cpu_us_per_request": cpu(mode),
            "added_cpu_us_per_request": _median_against_direct(
                samples, mode, lambda s, d: s["cpu_us_per_request"] - d["cpu_us_per_request"]
            ),
        }
    return summary


# -- the whole run -----------------------------------------------------------------------


def measure(rounds: int, requests: int, modes: list[Mode], *, echo: bool = False) -> dict[str, Any]:
    """Both measurements; ``echo`` prints each sample as it is taken."""
    across = _measure_across_processes(rounds, requests, modes, echo)
    in_one_loop = asyncio.run(_measure_in_one_loop(rounds, requests, modes, echo))
    return {
        "rounds": rounds,
        "requests_per_round": requests,
        "warmup_requests": WARMUP_REQUESTS,
        "across_processes": {
            "samples": across,
            "summary": _summarize_across_processes(across, modes),
        },
        "in_one_loop": {
            "samples": in_one_loop,
            "summary": _summarize_in_one_loop(in_one_loop, modes),
        },
    }


def _print_summary(result: dict[str, Any], modes: list[Mode]) -> None:
    across = result["across_processes"]["summary"]
    one_loop = result["in_one_loop"]["summary"]
    print(f"\n{result['rounds']} rounds x {result['requests_per_round']} requests, medians")
    print(
        f"{'':7} {'p50 µs':>7} {'p99 µs':>7} {'req/s':>7} {'+p50 µs':>8} {'+p99 µs':>8}"
        f" {'vs direct':>9} {'proxy cpu µs/req':>16} {'one-loop +cpu µs/req':>20}"
    )
    direct = across["direct"]
    print(f"{'direct':7} {direct['p50_us']:7.1f} {direct['p99_us']:7.1f}", end="")
    print(f" {direct['requests_per_s']:7.0f}")
    for mode in modes:
        row = across[mode]
        print(
            f"{mode:7} {row['p50_us']:7.1f} {row['p99_us']:7.1f} {row['requests_per_s']:7.0f}"
            f" {row['added_p50_us']:8.1f} {row['added_p99_us']:8.1f}"
            f" {row['throughput_ratio']:9.0%} {row['proxy_cpu_us_per_request']:16.1f}"
            f" {one_loop[mode]['added_cpu_us_per_request']:20.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=2000, help="round trips per sample")
    parser.add_argument(
        "--modes", default=",".join(MODES), help="proxy modes to measure, comma-separated"
    )
    parser.add_argument("--json", action="store_true", help="print samples and summary as JSON")
    options = parser.parse_args()
    modes = [m for m in MODES if m in options.modes.split(",")]
    if options.rounds < 1 or options.requests < 1:
        parser.error("--rounds and --requests must be at least 1")
    if not modes or set(options.modes.split(",")) - set(MODES):
        parser.error(f"--modes takes a comma-separated subset of {','.join(MODES)}")
    result = measure(options.rounds, options.requests, modes, echo=not options.json)
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        _print_summary(result, modes)


if __name__ == "__main__":
    main()
