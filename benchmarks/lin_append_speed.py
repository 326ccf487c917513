"""`stormproof lin` on one `kv` key under many concurrent appends: the general search against
the fast path for append-only keys, side by side in one run.

    .venv/bin/python benchmarks/lin_append_speed.py [--rounds 3] [--budget 60] [--json]

Each history is one key of a simulated atomic store: ``clients`` clients, each op an append
of a value of its own (two in three) or a get, taking effect at a random point between its
invoke and its ok. Every order of the appends pending between two gets is a distinct string,
which is what makes the general search exponential. Per history and round: the general
search alone (``Search`` on the key's problem, as ``check_linearizable`` ran it before the
fast path, with ``--budget`` seconds; once that runs out, the row's later rounds skip it)
and ``check_linearizable``, which takes the fast path. Reported: medians over rounds. The
20,000-op rows are for the fast path alone; the last one loses an append in the middle of
the history (every later get misses it), so its time includes building the witness.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from dataclasses import dataclass
from typing import Any

from stormproof.history import History, Op
from stormproof.history.lin import check_linearizable, model_named
from stormproof.history.lin.problem import problems
from stormproof.history.lin.search import OutOfTime, Search

KV = model_named("kv")
GETS = 1 / 3
"""The share of gets. Even with a get for every two appends, the general search needs
seconds at 4 clients and more than a minute from 6 on."""


@dataclass(frozen=True)
class Case:
    clients: int
    ops: int
    general: bool  # whether to time the general search too
    lose: bool = False  # whether one ok append is missing from every get after it


CASES = (
    *(Case(clients, 2_000, True) for clients in (2, 3, 4, 5, 10, 20)),
    Case(20, 20_000, False),
    Case(20, 20_000, False, lose=True),
)


def appends(clients: int, ops: int, seed: int, lose: bool = False) -> History:
    """One key of an atomic store (see the module's docstring). With ``lose``, the append
    that took effect halfway through is left out of every get's string."""
    rng = random.Random(seed)
    text = ""
    lost = ""
    events: list[Op] = []
    open_ops: dict[int, list[Any]] = {}  # process -> [f, value, applied?, seen]
    tick = 0
    while len(events) < 2 * ops or open_ops:
        process = rng.randrange(clients)
        tick += 1
        pending = open_ops.get(process)
        if pending is None:
            if len(events) >= 2 * ops:
                continue
            f = "get" if rng.random() < GETS else "append"
            value = None if f == "get" else f"{process}.{tick} "
            events.append(Op(process, "invoke", f, value, tick, key="k"))
            open_ops[process] = [f, value, False, None]
        elif not pending[2]:
            if rng.random() < 0.5:  # takes effect now
                f, value = pending[0], pending[1]
                if f == "append":
                    text += value
                    if lose and not lost and len(events) >= ops:
                        lost = value
                pending[2], pending[3] = True, text.replace(lost, "") if lost else text
        else:
            f, value, _, seen = open_ops.pop(process)
            events.append(Op(process, "ok", f, seen if f == "get" else value, tick, key="k"))
    return History(events)


def time_general(history: History, budget: float) -> tuple[float, bool | str]:
    """Seconds the general search takes on the history's one key (splitting it out
    included, as in ``check_linearizable``), and its verdict."""
    started = time.perf_counter()
    [part] = problems(history, KV)
    try:
        verdict: bool | str = Search(part, started + budget).run().linearizable
    except OutOfTime:
        verdict = "unknown"
    return time.perf_counter() - started, verdict


def time_fast(history: History) -> tuple[float, bool | str, dict[str, Any] | None]:
    started = time.perf_counter()
    result = check_linearizable(history, "kv")
    return time.perf_counter() - started, result.valid, result.witness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds the general search may take"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    rows = []
    for case in CASES:
        history = appends(case.clients, case.ops, seed=case.clients, lose=case.lose)
        gets = sum(op.f == "get" and op.type == "invoke" for op in history)
        general: list[float] = []
        general_verdict: bool | str | None = None
        fast: list[float] = []
        for _ in range(args.rounds):
            if case.general and general_verdict != "unknown":
                seconds, general_verdict = time_general(history, args.budget)
                general.append(seconds)
            seconds, fast_verdict, found = time_fast(history)
            fast.append(seconds)
        rows.append(
            {
                "clients": case.clients,
                "ops": case.ops,
                "gets": gets,
                "general_s": statistics.median(general) if general else None,
                "general_rounds": len(general),
                "general_verdict": general_verdict,
                "fast_s": statistics.median(fast),
                "fast_verdict": fast_verdict,
                "witness_op": None if found is None else found["op"]["index"],
            }
        )
    if args.json:
        print(json.dumps({"rounds": args.rounds, "budget_s": args.budget, "rows": rows}, indent=2))
        return
    print(f"one kv key, appends and gets, {args.rounds} rounds, medians")
    print()
    print("| clients | ops | gets | general search | fast path | speed-up | verdict |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['clients']} | {row['ops']:,} | {row['gets']} | {_general(row, args.budget)}"
            f" | {_ms(row['fast_s'])} | {_speed_up(row)} | {_verdict(row)} |"
        )


def _general(row: dict[str, Any], budget: float) -> str:
    if row["general_s"] is None:
        return "not run"
    if row["general_verdict"] == "unknown":
        return f"> {budget:g} s (unknown)"
    return _ms(row["general_s"])


def _speed_up(row: dict[str, Any]) -> str:
    if row["general_s"] is None or row["general_verdict"] == "unknown":
        return ""
    return f"{row['general_s'] / row['fast_s']:,.0f}x"


def _verdict(row: dict[str, Any]) -> str:
    fast = row["fast_verdict"]
    shown = "linearizable" if fast is True else f"NOT linearizable (op {row['witness_op']})"
    if row["general_verdict"] in (True, False) and row["general_verdict"] != fast:
        return f"{shown}; the general search DISAGREES"
    return shown


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


if __name__ == "__main__":
    main()
