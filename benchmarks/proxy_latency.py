"""What the chaos fault proxy costs with no fault set, on loopback.

A minimal HTTP/1.1 keep-alive upstream and one ``FaultProxy`` per mode (``http``, ``tcp``)
each run in a process of their own; this process is the client and does N sequential small
GET round trips on one connection to each target: direct, and through each proxy. The
targets are interleaved round after round, their order rotated, so that machine noise hits
them alike. Every sample is printed; the summary gives, per mode, the added p50 and p99
latency (µs, medians of per-round differences against the same round's direct run), the
throughput as a share of direct (median of per-round ratios), and the proxy process's CPU
time per request.

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
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, get_args

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
FIGURES = ("p50_us", "p99_us", "requests_per_s")


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

    def cpu_s(self) -> float | None:
        if self.control is None:
            return None
        self.control.send(None)
        cpu: float = self.control.recv()
        return cpu

    def sample(self, number: int, requests: int) -> dict[str, Any]:
        cpu_before = self.cpu_s()
        latencies, elapsed = _round_trips(self.port, requests)
        cpu_after = self.cpu_s()
        sample: dict[str, Any] = {
            "round": number,
            "target": self.name,
            "p50_us": _quantile_us(latencies, 0.50),
            "p99_us": _quantile_us(latencies, 0.99),
            "requests_per_s": requests / elapsed,
        }
        if cpu_before is not None and cpu_after is not None:
            total = WARMUP_REQUESTS + requests
            sample["proxy_cpu_us_per_request"] = (cpu_after - cpu_before) / total * 1e6
        return sample


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


def _summary(samples: list[dict[str, Any]], modes: list[str]) -> dict[str, Any]:
    rounds = sorted({s["round"] for s in samples})
    by = {(s["round"], s["target"]): s for s in samples}

    def median(target: str, figure: str) -> float:
        return statistics.median(by[r, target][figure] for r in rounds)

    summary: dict[str, Any] = {"direct": {f: median("direct", f) for f in FIGURES}}
    for mode in modes:
        summary[mode] = {
            **{f: median(mode, f) for f in FIGURES},
            "added_p50_us": statistics.median(
                by[r, mode]["p50_us"] - by[r, "direct"]["p50_us"] for r in rounds
            ),
            "added_p99_us": statistics.median(
                by[r, mode]["p99_us"] - by[r, "direct"]["p99_us"] for r in rounds
            ),
            "throughput_ratio": statistics.median(
                by[r, mode]["requests_per_s"] / by[r, "direct"]["requests_per_s"] for r in rounds
            ),
            "proxy_cpu_us_per_request": median(mode, "proxy_cpu_us_per_request"),
        }
    return summary


def _print_sample(sample: dict[str, Any]) -> None:
    cpu = sample.get("proxy_cpu_us_per_request")
    print(
        f"round {sample['round']} {sample['target']:7} p50 {sample['p50_us']:7.1f} µs"
        f"  p99 {sample['p99_us']:7.1f} µs  {sample['requests_per_s']:7.0f} req/s"
        + (f"  proxy cpu {cpu:5.1f} µs/req" if cpu is not None else ""),
        flush=True,
    )


def _print_summary(summary: dict[str, Any], modes: list[str], rounds: int, requests: int) -> None:
    print(f"\n{rounds} rounds x {requests} requests, medians")
    print(f"{'':8} {'p50 µs':>8} {'p99 µs':>8} {'req/s':>8} {'+p50 µs':>8} {'+p99 µs':>8}", end="")
    print(f" {'vs direct':>9} {'cpu µs/req':>10}")
    direct = summary["direct"]
    print(f"{'direct':8} {direct['p50_us']:8.1f} {direct['p99_us']:8.1f}", end="")
    print(f" {direct['requests_per_s']:8.0f}")
    for mode in modes:
        row = summary[mode]
        print(
            f"{mode:8} {row['p50_us']:8.1f} {row['p99_us']:8.1f} {row['requests_per_s']:8.0f}"
            f" {row['added_p50_us']:8.1f} {row['added_p99_us']:8.1f}"
            f" {row['throughput_ratio']:9.0%} {row['proxy_cpu_us_per_request']:10.1f}"
        )


def measure(rounds: int, requests: int, modes: list[str], *, echo: bool = False) -> dict[str, Any]:
    """Run the interleaved rounds; ``echo`` prints each sample as it is taken."""
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
            shift = number % len(targets)
            for target in targets[shift:] + targets[:shift]:
                sample = target.sample(number, requests)
                samples.append(sample)
                if echo:
                    _print_sample(sample)
    finally:
        for process in processes:
            process.terminate()
            process.join(timeout=10)
    return {
        "rounds": rounds,
        "requests_per_round": requests,
        "warmup_requests": WARMUP_REQUESTS,
        "samples": samples,
        "summary": _summary(samples, modes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=2000, help="round trips per sample")
    parser.add_argument(
        "--modes", default=",".join(MODES), help="proxy modes to measure, comma-separated"
    )
    parser.add_argument("--json", action="store_true", help="print samples and summary as JSON")
    options = parser.parse_args()
    modes = [m for m in options.modes.split(",") if m]
    if options.rounds < 1 or options.requests < 1:
        parser.error("--rounds and --requests must be at least 1")
    if not modes or set(modes) - set(MODES):
        parser.error(f"--modes takes a comma-separated subset of {','.join(MODES)}")
    result = measure(options.rounds, options.requests, modes, echo=not options.json)
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        _print_summary(result["summary"], modes, options.rounds, options.requests)


if __name__ == "__main__":
    main()
