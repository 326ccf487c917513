"""How fast `stormproof audit verify` checks a large ledger.

    .venv/bin/python benchmarks/audit_verify_speed.py [--entries 10000] [--rounds 5] [--json]

Builds, once, in a temporary git repository, a ledger of ``--entries`` generation entries in
one chain (each with its own prompt of about 1 KB, a response of about 2 KB and a snapshot of
one file of about 3 KB: four files per entry, as `record` writes them), then times
`verify_ledger` (the library call behind the command: every entry read, hashed, parsed and
re-encoded; every blob read and hashed) over ``--rounds`` rounds, and reports the median and
the spread. The first round reads from a cold page cache only if the machine evicted the
files; the median is the figure to quote. Target (issue 6): 10,000 entries in at most 2 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from stormproof.ledger import Entry, FileRecord, open_ledger, verify_ledger
from stormproof.ledger.canonical import sha256


def build(repo: Path, count: int) -> None:
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    ledger = open_ledger(repo)
    parents: tuple[str, ...] = ()
    for n in range(count):
        snapshot = "".join(f"line {n} {i}: {'x' * 40}\n" for i in range(60)).encode()
        entry = Entry(
            kind="generation",
            parents=parents,
            time=f"2026-11-21T12:00:00.{n:06d}Z",
            author="Bench <bench@example.com>",
            tool="stormproof bench",
            model="model-1",
            prompt=ledger.put_blob(f"prompt {n}\n".encode() + b"p" * 1024),
            response=ledger.put_blob(f"response {n}\n".encode() + b"r" * 2048),
            results=None,
            files=(FileRecord("app.py", sha256(snapshot), ledger.put_blob(snapshot), ((1, 60),)),),
        )
        parents = (ledger.add(entry),)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stormproof-ledger-") as tmp:
        repo = Path(tmp)
        started = time.perf_counter()
        build(repo, args.entries)
        built = time.perf_counter() - started
        ledger = open_ledger(repo)
        seconds = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            result = verify_ledger(ledger)
            seconds.append(time.perf_counter() - started)
            assert result.intact and result.entries == args.entries, result.problems[:3]
    report = {
        "entries": args.entries,
        "blobs": result.blobs,
        "build_s": round(built, 2),
        "verify_median_s": round(statistics.median(seconds), 3),
        "verify_min_s": round(min(seconds), 3),
        "verify_max_s": round(max(seconds), 3),
        "rounds": args.rounds,
        "target_s": 2.0,
    }
    if args.json:
        print(json.dumps(report))
        return
    print(f"ledger: {report['entries']} entries, {report['blobs']} blobs (built in {built:.1f} s)")
    spread = f"min {report['verify_min_s']}, max {report['verify_max_s']}"
    print(f"verify: median {report['verify_median_s']} s over {args.rounds} rounds ({spread})")
    print("target: at most 2 s for 10,000 entries")


if __name__ == "__main__":
    main()
