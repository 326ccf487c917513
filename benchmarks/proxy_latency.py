"""What the chaos fault proxy costs with no fault set, on loopback.

An HTTP/1.1 keep-alive upstream and the proxy each run in a process of their own; this
process is the client and does N sequential small GET round trips on one connection, once
direct and once through the proxy, the two interleaved (and their order alternated) round
after round so machine noise hits them alike. We report the added p50 and p99 latency (µs)
and the throughput through the proxy against direct, as medians over rounds.

    .venv/bin/python benchmarks/proxy_latency.py [--rounds 7] [--requests 5000] [--json]

Target (issue 3): added p50 under 200 µs (Toxiproxy claims under 100 µs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import statistics
import time
from multiprocessing.queues import Queue
from typing import Any

from stormproof.chaos import FaultProxy

REQUEST = b"GET /ping HTTP/1.1\r\nHost: bench\r\n\r\n"
BODY = b'{"ok": true}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
)
WARMUP_REQUESTS = 200


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


async def _serve_upstream(ports: Queue[int]) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Responder, "127.0.0.1", 0)
    ports.put(server.sockets[0].getsockname()[1])
    await asyncio.Event().wait()


async def _serve_proxy(upstream_port: int, ports: Queue[int]) -> None:
    proxy = await FaultProxy("127.0.0.1", upstream_port).start()
    ports.put(proxy.port)
    await asyncio.Event().wait()


def _run_upstream(ports: Queue[int]) -> None:
    asyncio.run(_serve_upstream(ports))


def _run_proxy(upstream_port: int, ports: Queue[int]) -> None:
    asyncio.run(_serve_proxy(upstream_port, ports))


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
            received = 0
            while received < len(RESPONSE):
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError(f"port {port} closed the connection mid-benchmark")
                received += len(chunk)
            if index >= WARMUP_REQUESTS:
                latencies.append(time.perf_counter_ns() - sent)
        return latencies, time.perf_counter() - started


def _quantile_us(latencies: list[int], q: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000


def measure(rounds: int, requests: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    ports: Queue[int] = context.Queue()
    upstream = context.Process(target=_run_upstream, args=(ports,), daemon=True)
    upstream.start()
    upstream_port = ports.get(timeout=30)
    proxy = context.Process(target=_run_proxy, args=(upstream_port, ports), daemon=True)
    proxy.start()
    proxy_port = ports.get(timeout=30)
    per_round: list[dict[str, dict[str, float]]] = []
    try:
        for number in range(rounds):
            targets = [("direct", upstream_port), ("proxy", proxy_port)]
            if number % 2:
                targets.reverse()
            figures = {}
            for name, port in targets:
                latencies, elapsed = _round_trips(port, requests)
                figures[name] = {
                    "p50_us": _quantile_us(latencies, 0.50),
                    "p99_us": _quantile_us(latencies, 0.99),
                    "requests_per_s": requests / elapsed,
                }
            per_round.append(figures)
    finally:
        for process in (proxy, upstream):
            process.terminate()
            process.join(timeout=10)

    def median(target: str, figure: str) -> float:
        return statistics.median(r[target][figure] for r in per_round)

    def median_added(figure: str) -> float:
        return statistics.median(r["proxy"][figure] - r["direct"][figure] for r in per_round)

    return {
        "rounds": rounds,
        "requests_per_round": requests,
        "direct": {f: median("direct", f) for f in ("p50_us", "p99_us", "requests_per_s")},
        "proxy": {f: median("proxy", f) for f in ("p50_us", "p99_us", "requests_per_s")},
        "added_p50_us": median_added("p50_us"),
        "added_p99_us": median_added("p99_us"),
        "throughput_ratio": statistics.median(
            r["proxy"]["requests_per_s"] / r["direct"]["requests_per_s"] for r in per_round
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=5000, help="round trips per round")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()
    if options.rounds < 1 or options.requests < 1:
        parser.error("--rounds and --requests must be at least 1")
    result = measure(options.rounds, options.requests)
    if options.json:
        print(json.dumps(result, indent=2))
        return
    direct, proxy = result["direct"], result["proxy"]
    print(f"{result['rounds']} rounds x {result['requests_per_round']} requests, medians")
    print(f"{'':8} {'p50 µs':>9} {'p99 µs':>9} {'req/s':>9}")
    for name, row in (("direct", direct), ("proxy", proxy)):
        print(f"{name:8} {row['p50_us']:9.1f} {row['p99_us']:9.1f} {row['requests_per_s']:9.0f}")
    print(
        f"added    p50 {result['added_p50_us']:.1f} µs, p99 {result['added_p99_us']:.1f} µs; "
        f"throughput through the proxy {result['throughput_ratio']:.0%} of direct"
    )


if __name__ == "__main__":
    main()
