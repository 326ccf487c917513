import os
import time
from dataclasses import dataclass

import requests

TARGETS = [url for url in os.environ.get("PROBE_TARGETS", "").split(",") if url]


@dataclass
class ProbeResult:
    url: str
    ok: bool
    latency_ms: float


def probe(url: str) -> ProbeResult:
    started = time.perf_counter()
    resp = requests.head(url, allow_redirects=True)  # expect: SP101
    return ProbeResult(url, resp.ok, (time.perf_counter() - started) * 1000)


def cors_preflight(url: str, origin: str) -> bool:
    resp = requests.options(url, headers={"Origin": origin})  # expect: SP101
    return "access-control-allow-origin" in {k.lower() for k in resp.headers}


def report(results: list[ProbeResult]) -> None:
    requests.request(  # expect: SP101
        "POST",
        os.environ["STATUS_PAGE_URL"] + "/probes",
        json=[r.__dict__ for r in results],
    )


def run_once() -> None:
    report([probe(url) for url in TARGETS])
