"""What ``stormproof.kit.Client`` and ``AsyncClient`` add to a call over raw httpx, on loopback.

A minimal HTTP/1.1 keep-alive upstream (``proxy_latency.py``'s, heads shaped like uvicorn's)
runs in a process of its own. Each client runs in a process of its own too, on one
keep-alive connection, doing N sequential ``GET /ping`` calls per sample:

- ``httpx`` / ``httpx async``: raw ``httpx.Client`` / ``httpx.AsyncClient``, timeout set;
- ``Client`` / ``AsyncClient``: the kit's clients with their defaults: timeout, 3 attempts
  (no retry happens: every answer is a 200), the target's breaker and retry budget, the
  deadline header, and tracing with no OpenTelemetry SDK installed (the no-op tracer);
- ``Client+sdk`` / ``AsyncClient+sdk``: the same with the SDK installed, every span
  recorded and exported inline (``SimpleSpanProcessor`` into an ``InMemorySpanExporter``),
  which is the most tracing can cost.

A process per client keeps the no-op rows honest (a tracer provider, once set, is global)
and gives every client the same clean interpreter. Samples run in interleaved rounds (every
client once per round, in an order rotated from round to round) so that machine noise hits
them alike. Per kit client: the added p50 and p99 latency (medians of per-round differences
against the same round's raw httpx sample of the same flavour), the p50 ratio, and the
client process's CPU time per call, added.

    .venv/bin/python benchmarks/kit_client_overhead.py [--rounds 15] [--requests 2000] [--json]

Target (issue 5): at most 10% added at p50, with breaker, budget and tracing on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import httpx

# A sibling script, importable because Python puts the script's directory on sys.path.
from proxy_latency import _quantile_us, _rotated, _run_upstream, _start

WARMUP_REQUESTS = 200
TARGET_ADDED_P50 = 0.10
Sample = dict[str, Any]


@dataclass(frozen=True)
class Target:
    name: str
    flavour: str  # "sync" or "async"
    kit: bool
    sdk: bool = False

    @property
    def baseline(self) -> str:
        return "httpx" if self.flavour == "sync" else "httpx async"


TARGETS = (
    Target("httpx", "sync", kit=False),
    Target("Client", "sync", kit=True),
    Target("Client+sdk", "sync", kit=True, sdk=True),
    Target("httpx async", "async", kit=False),
    Target("AsyncClient", "async", kit=True),
    Target("AsyncClient+sdk", "async", kit=True, sdk=True),
)


# -- the client processes -------------------------------------------------------------------


def _figures(latencies: list[int], elapsed: float, cpu: float, requests: int) -> Sample:
    return {
        "p50_us": _quantile_us(latencies, 0.50),
        "p99_us": _quantile_us(latencies, 0.99),
        "requests_per_s": requests / elapsed,
        "cpu_us_per_request": cpu / requests * 1e6,
    }


def _sample_sync(get: Callable[[str], httpx.Response], requests: int) -> Sample:
    latencies: list[int] = []
    started = cpu = 0.0
    for index in range(WARMUP_REQUESTS + requests):
        if index == WARMUP_REQUESTS:
            started, cpu, latencies = time.perf_counter(), time.process_time(), []
        sent = time.perf_counter_ns()
        response = get("/ping")
        latencies.append(time.perf_counter_ns() - sent)
        if response.status_code != 200:
            raise RuntimeError(f"the upstream answered {response.status_code}")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return _figures(latencies, elapsed, cpu, requests)


async def _sample_async(get: Callable[[str], Any], requests: int) -> Sample:
    latencies: list[int] = []
    started = cpu = 0.0
    for index in range(WARMUP_REQUESTS + requests):
        if index == WARMUP_REQUESTS:
            started, cpu, latencies = time.perf_counter(), time.process_time(), []
        sent = time.perf_counter_ns()
        response = await get("/ping")
        latencies.append(time.perf_counter_ns() - sent)
        if response.status_code != 200:
            raise RuntimeError(f"the upstream answered {response.status_code}")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return _figures(latencies, elapsed, cpu, requests)


def _install_sdk() -> Callable[[], None]:
    """Record every span; returns what empties the exporter between samples."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return exporter.clear


def _open(target: Target, base_url: str) -> Any:
    if not target.kit:
        kind = httpx.Client if target.flavour == "sync" else httpx.AsyncClient
        return kind(base_url=base_url, timeout=5.0)
    from stormproof.kit.client import AsyncClient, Client

    kit = Client if target.flavour == "sync" else AsyncClient
    client = kit("bench-upstream", base_url=base_url, timeout=5.0)
    policy = client.policy
    assert policy.breaker and policy.budget and policy.tracing and policy.attempts > 1
    return client


def _serve_samples(target: Target, port: int, control: Connection) -> None:
    """Answer each request for a sample (the number of calls) with the sample's figures."""
    empty_spans = _install_sdk() if target.sdk else (lambda: None)
    base_url = f"http://127.0.0.1:{port}"

    async def serve_async() -> None:
        async with _open(target, base_url) as client:
            control.send("ready")
            while (requests := _next_request(control)) is not None:
                control.send(await _sample_async(client.get, requests))
                empty_spans()

    if target.flavour == "async":
        asyncio.run(serve_async())
        return
    with _open(target, base_url) as client:
        control.send("ready")
        while (requests := _next_request(control)) is not None:
            control.send(_sample_sync(client.get, requests))
            empty_spans()


def _next_request(control: Connection) -> int | None:
    try:
        requests: int = control.recv()
    except EOFError:
        return None
    return requests


# -- the run --------------------------------------------------------------------------------


def _median(samples: list[Sample], target: str, figure: Callable[[Sample], float]) -> float:
    return statistics.median(figure(s) for s in samples if s["target"] == target)


def _paired(
    samples: list[Sample], target: Target, compare: Callable[[Sample, Sample], float]
) -> float:
    """The median over rounds of ``compare(target's sample, its raw httpx sample)``."""
    base = {s["round"]: s for s in samples if s["target"] == target.baseline}
    return statistics.median(
        compare(s, base[s["round"]]) for s in samples if s["target"] == target.name
    )


def _summarize(samples: list[Sample]) -> dict[str, Any]:
    figures = ("p50_us", "p99_us", "requests_per_s", "cpu_us_per_request")
    summary: dict[str, Any] = {}
    for target in TARGETS:
        row = {f: _median(samples, target.name, lambda s, f=f: s[f]) for f in figures}
        if target.kit:
            row |= {
                "added_p50_us": _paired(samples, target, lambda s, b: s["p50_us"] - b["p50_us"]),
                "added_p99_us": _paired(samples, target, lambda s, b: s["p99_us"] - b["p99_us"]),
                "p50_ratio": _paired(samples, target, lambda s, b: s["p50_us"] / b["p50_us"]),
                "added_cpu_us_per_request": _paired(
                    samples, target, lambda s, b: s["cpu_us_per_request"] - b["cpu_us_per_request"]
                ),
                "rounds_within_target": sum(
                    s["p50_us"] <= (1 + TARGET_ADDED_P50) * b["p50_us"]
                    for s in samples
                    if s["target"] == target.name
                    for b in samples
                    if b["target"] == target.baseline and b["round"] == s["round"]
                ),
            }
        summary[target.name] = row
    return summary


def measure(rounds: int, requests: int, *, echo: bool = False) -> dict[str, Any]:
    """Every client's samples and the summary; ``echo`` prints each sample as it is taken."""
    processes: list[BaseProcess] = []
    try:
        upstream, _, port = _start(_run_upstream)
        processes.append(upstream)
        controls: dict[str, Connection] = {}
        for target in TARGETS:
            process, control, _ready = _start(_serve_samples, target, port)
            processes.append(process)
            controls[target.name] = control
        samples: list[Sample] = []
        for number in range(1, rounds + 1):
            for target in _rotated(number, TARGETS):
                controls[target.name].send(requests)
                sample = {"round": number, "target": target.name, **controls[target.name].recv()}
                samples.append(sample)
                if echo:
                    print(
                        f"round {number:2} {target.name:15} p50 {sample['p50_us']:7.1f} µs"
                        f"  p99 {sample['p99_us']:7.1f} µs  {sample['requests_per_s']:6.0f} req/s"
                        f"  cpu {sample['cpu_us_per_request']:6.1f} µs/req",
                        flush=True,
                    )
        return {
            "rounds": rounds,
            "requests_per_round": requests,
            "warmup_requests": WARMUP_REQUESTS,
            "samples": samples,
            "summary": _summarize(samples),
        }
    finally:
        for process in processes:
            process.terminate()
            process.join(timeout=10)


def _print_summary(result: dict[str, Any]) -> None:
    summary = result["summary"]
    print(f"\n{result['rounds']} rounds x {result['requests_per_round']} calls, medians")
    print(
        f"{'':15} {'p50 µs':>7} {'p99 µs':>7} {'+p50 µs':>8} {'+p50':>6} {'+p99 µs':>8}"
        f" {'cpu µs/call':>11} {'+cpu µs/call':>12} {'rounds <=10%':>12}"
    )
    for target in TARGETS:
        row = summary[target.name]
        line = f"{target.name:15} {row['p50_us']:7.1f} {row['p99_us']:7.1f}"
        if target.kit:
            line += (
                f" {row['added_p50_us']:8.1f} {row['p50_ratio'] - 1:6.1%}"
                f" {row['added_p99_us']:8.1f} {row['cpu_us_per_request']:11.1f}"
                f" {row['added_cpu_us_per_request']:12.1f}"
                f" {row['rounds_within_target']:>6}/{result['rounds']:<5}"
            )
        else:
            line += f" {'':8} {'':6} {'':8} {row['cpu_us_per_request']:11.1f}"
        print(line)
    print(f"target: at most {TARGET_ADDED_P50:.0%} added at p50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=2000, help="calls per sample")
    parser.add_argument("--json", action="store_true", help="print samples and summary as JSON")
    options = parser.parse_args()
    if options.rounds < 1 or options.requests < 1:
        parser.error("--rounds and --requests must be at least 1")
    result = measure(options.rounds, options.requests, echo=not options.json)
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        _print_summary(result)


if __name__ == "__main__":
    main()
