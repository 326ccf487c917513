"""How fast `stormproof lin` checks the 50 Jepsen etcd histories that Porcupine's test suite
uses, and a large keyed history that splits into independent keys.

    .venv/bin/python benchmarks/lin_speed.py [--rounds 20] [--json]

Each round reads and checks every etcd file (in an order rotated from round to round, so
that machine noise does not always hit the same file) and records, per file, the time to
read it and the time to check it. Reported: per-round totals (median over rounds), the
slowest file (by its median), and the verdicts, which must match Porcupine's.

Reference (Porcupine, Go, on this kind of machine, from tests/data/porcupine/README.md):
the 50 files in about 0.4 s of total test time; the slowest, etcd_002, about 0.2 s.
Target (issue 4): within 5x of Porcupine (2 s in total); the aim is to match or beat it.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from stormproof.history import History, Op, read_history
from stormproof.history.lin import check_linearizable

HERE = Path(__file__).resolve().parent
ETCD = HERE.parent / "tests" / "data" / "porcupine" / "etcd"


def expected_verdicts() -> dict[str, bool]:
    rows = (ETCD / "expected.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {name: verdict == "true" for name, verdict in (row.split("\t") for row in rows)}


def one_round(files: list[Path]) -> dict[str, tuple[float, float, Any]]:
    """Per file: (seconds to read, seconds to check, verdict)."""
    timings = {}
    for path in files:
        started = time.perf_counter()
        history = read_history(path)
        read = time.perf_counter()
        result = check_linearizable(history, "cas-register")
        done = time.perf_counter()
        timings[path.name] = (read - started, done - read, result.valid)
    return timings


def keyed_history(keys: int, clients: int, ops: int, seed: int) -> History:
    """A linearizable kv history: ``clients`` concurrent clients of an atomic store, each op
    taking effect at a random point between its invoke and its completion."""
    rng = random.Random(seed)
    store: dict[str, str] = {}
    events: list[Op] = []
    open_ops: dict[int, tuple[str, str, str, str | None]] = {}  # process -> (f, key, value, read)
    time_ns = 0
    while len(events) < 2 * ops or open_ops:
        process = rng.randrange(clients)
        time_ns += 1
        if process not in open_ops:
            if len(events) >= 2 * ops:
                continue
            f = rng.choice(("get", "put", "append"))
            key = f"k{rng.randrange(keys)}"
            value = "" if f == "get" else f"{process}.{time_ns} "
            events.append(Op(process, "invoke", f, None if f == "get" else value, time_ns, key=key))
            open_ops[process] = (f, key, value, None)
        elif open_ops[process][3] is None and rng.random() < 0.5:
            f, key, value, _ = open_ops[process]  # takes effect now
            if f == "put":
                store[key] = value
            elif f == "append":
                store[key] = store.get(key, "") + value
            open_ops[process] = (f, key, value, store.get(key, ""))
        elif open_ops[process][3] is not None:
            f, key, value, seen = open_ops.pop(process)
            events.append(Op(process, "ok", f, seen if f == "get" else value, time_ns, key=key))
    return History(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    files = sorted(ETCD.glob("*.log"))
    expected = expected_verdicts()
    rounds = []
    for number in range(args.rounds):
        shift = number % len(files)
        rounds.append(one_round(files[shift:] + files[:shift]))
    wrong = sorted(name for name, (_, _, valid) in rounds[0].items() if valid is not expected[name])
    per_file = {
        name: (
            statistics.median(r[name][0] for r in rounds),
            statistics.median(r[name][1] for r in rounds),
        )
        for name in rounds[0]
    }
    totals = {
        "read": statistics.median(sum(t[0] for t in r.values()) for r in rounds),
        "check": statistics.median(sum(t[1] for t in r.values()) for r in rounds),
        "both": statistics.median(sum(t[0] + t[1] for t in r.values()) for r in rounds),
    }
    slowest = max(per_file, key=lambda name: sum(per_file[name]))

    keyed = keyed_history(keys=100, clients=20, ops=20_000, seed=1)
    keyed_times = []
    for _ in range(max(3, args.rounds // 5)):
        started = time.perf_counter()
        keyed_result = check_linearizable(keyed, "kv")
        keyed_times.append(time.perf_counter() - started)

    report = {
        "rounds": args.rounds,
        "files": len(files),
        "verdicts_matching_porcupine": len(files) - len(wrong),
        "wrong": wrong,
        "total_s": totals,
        "slowest": {
            "file": slowest,
            "read_s": per_file[slowest][0],
            "check_s": per_file[slowest][1],
        },
        "etcd_002_s": sum(per_file["etcd_002.log"]),
        "keyed": {
            "ops": keyed_result.ops,
            "keys": keyed_result.keys,
            "valid": keyed_result.valid,
            "check_s": statistics.median(keyed_times),
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{len(files)} etcd histories, {args.rounds} rounds, medians")
    print(f"  verdicts matching Porcupine's: {report['verdicts_matching_porcupine']}/{len(files)}")
    print(
        f"  total: read {totals['read'] * 1000:.1f} ms + check {totals['check'] * 1000:.1f} ms"
        f" = {totals['both'] * 1000:.1f} ms   (Porcupine: ~400 ms)"
    )
    print(
        f"  slowest file: {slowest}: read {per_file[slowest][0] * 1000:.2f} ms +"
        f" check {per_file[slowest][1] * 1000:.2f} ms   (Porcupine's slowest: etcd_002, ~200 ms)"
    )
    print(f"  etcd_002: {report['etcd_002_s'] * 1000:.2f} ms")
    k = report["keyed"]
    print(
        f"keyed kv history: {k['ops']} ops over {k['keys']} keys, {k['valid']},"
        f" check {k['check_s'] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
