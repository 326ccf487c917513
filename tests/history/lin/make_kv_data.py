"""Writes tests/data/kv/: Jepsen-style EDN kv histories (get/put/append over a few keys) and
their expected verdicts (``python tests/history/lin/make_kv_data.py``; the output is
deterministic, and a test checks that the committed files are what it writes).

Each history is a simulated linearizable store: every op takes effect at one point between
its invoke and its completion (ok), never (fail), or at any point after its invoke or never
(info, or an invoke left without completion when the run ends); a get returns the key's state
at its point, nil for a key never written. Appended and put values are unique, so a state
says which ops made it. A ``bad`` history has exactly one anomaly, played by one client as a
short sequential segment on a key that is quiet at that moment (no op on it outstanding, and
no info op ever on it), right after a get that pins the key's state: nothing else can explain
what the segment shows."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

OUT = Path(__file__).parents[2] / "data" / "kv"
Segment = list[tuple[str, str | None, str]]
"""(f, value, completion type): the value written, or the value a get reports."""


@dataclass
class KvOp:
    process: int
    f: str
    key: str
    value: str | None
    outcome: str  # ok, fail, info
    applies: bool
    applied: bool = False
    seen: str | None = None  # a get's result


@dataclass
class Store:
    """The simulated system and the history it records."""

    rng: random.Random
    puts: bool
    info_keys: list[str]
    state: dict[str, str | None] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    counts: dict[int, int] = field(default_factory=dict)

    def emit(self, process: int, type_: str, f: str, key: str, value: str | None) -> None:
        shown = "nil" if value is None else f'"{value}"'
        error = {"info": ", :error :timeout", "fail": ", :error :unavailable"}.get(type_, "")
        self.lines.append(
            f'{{:process {process}, :type :{type_}, :f :{f}, :key "{key}", :value {shown}{error}}}'
        )

    def new_value(self, process: int, f: str) -> str:
        count = self.counts.get(process, 0)
        self.counts[process] = count + 1
        return f"x {process} {count} y" if f == "append" else f"v {process} {count}"

    def apply(self, op: KvOp) -> None:
        op.applied = True
        current = self.state.get(op.key)
        if op.f == "get":
            op.seen = current
        elif op.f == "put":
            self.state[op.key] = op.value
        else:
            self.state[op.key] = (current or "") + (op.value or "")

    def invoke(self, process: int, key: str) -> KvOp:
        rng = self.rng
        f = rng.choices(["get", "append", "put"], [45, 45, 10 if self.puts else 0])[0]
        value = None if f == "get" else self.new_value(process, f)
        outcome = rng.choices(["ok", "fail", "info"], [80, 8, 12 if key in self.info_keys else 0])
        op = KvOp(process, f, key, value, outcome[0], applies=outcome[0] == "ok")
        if op.outcome == "info":
            op.applies = rng.random() < 0.6
        self.emit(process, "invoke", f, key, value)
        return op

    def complete(self, op: KvOp) -> None:
        if op.outcome == "ok" and not op.applied:
            self.apply(op)
        value = op.seen if op.f == "get" and op.outcome == "ok" else op.value
        self.emit(op.process, op.outcome, op.f, op.key, value)

    def segment(self, process: int, key: str, anomaly: str) -> None:
        """One client's sequential ops on a quiet ``key``: a get that pins its state, then
        the anomaly's ops."""
        self.emit(process, "invoke", "get", key, None)
        self.emit(process, "ok", "get", key, self.state.get(key))
        for f, value, type_ in _script(self, process, key, anomaly):
            self.emit(process, "invoke", f, key, None if f == "get" else value)
            self.emit(process, type_, f, key, value)


def simulate(
    seed: int,
    n_ops: int,
    keys: int,
    concurrency: int,
    *,
    puts: bool = True,
    anomaly: str | None = None,
) -> list[str]:
    rng = random.Random(seed)
    key_names = [str(k) for k in range(keys)]
    quiet_key = key_names[0] if anomaly else None
    info_keys = [k for k in key_names if k != quiet_key]
    store = Store(rng, puts, info_keys)
    idle = list(range(concurrency))
    busy: list[KvOp] = []
    late: list[KvOp] = []  # ended info, will take effect later
    invoked = 0
    pending_anomaly = anomaly
    while invoked < n_ops or busy:
        quiet = pending_anomaly is not None and not any(op.key == quiet_key for op in busy)
        if quiet and invoked >= n_ops // 2 and idle:
            assert quiet_key is not None and pending_anomaly is not None
            process = idle[0]
            store.segment(process, quiet_key, pending_anomaly)
            pending_anomaly = None
            continue
        actions = []
        if invoked < n_ops and idle:
            actions += ["invoke"] * 2
        if busy:
            actions += ["complete"] * 2 + ["apply"]
        if late:
            actions.append("late")
        action = rng.choice(actions)
        if action == "invoke":
            process = idle.pop(rng.randrange(len(idle)))
            # The anomaly's key is used less, so that it stays small enough for the brute
            # force, and not at all once it is time to let it fall quiet for the anomaly.
            closing = pending_anomaly is not None and invoked >= n_ops // 2
            weights = [4 if k != quiet_key else 0 if closing else 1 for k in key_names]
            busy.append(store.invoke(process, rng.choices(key_names, weights)[0]))
            invoked += 1
        elif action == "apply":
            op = rng.choice(busy)
            if op.applies and not op.applied:
                store.apply(op)
        elif action == "late":
            store.apply(late.pop(rng.randrange(len(late))))
        else:
            op = busy.pop(rng.randrange(len(busy)))
            if invoked >= n_ops and pending_anomaly is None and rng.random() < 0.3:
                continue  # the run ends with this op in flight: no completion, no more effect
            store.complete(op)
            if op.outcome == "info":
                idle.append(op.process + concurrency)  # Jepsen's next process for the thread
                if op.applies and not op.applied:
                    late.append(op)
            else:
                idle.append(op.process)
    assert pending_anomaly is None, "the anomaly was never played"
    return store.lines


def _script(store: Store, process: int, key: str, anomaly: str) -> Segment:
    """The anomaly's ops after the pinning get; sets the state the store is left in."""
    before = store.state.get(key) or ""
    value = store.new_value(process, "put" if anomaly == "stale-get" else "append")
    if anomaly == "stale-get":  # a completed put, then a get that does not see it
        store.state[key] = value
        return [("put", value, "ok"), ("get", before or None, "ok")]
    if anomaly == "lost-append":  # an ok append that no later get sees
        return [("append", value, "ok"), ("get", before or None, "ok")]
    if anomaly == "out-of-order":  # two appends one after the other, seen the other way
        second = store.new_value(process, "append")
        store.state[key] = before + second + value
        return [
            ("append", value, "ok"),
            ("append", second, "ok"),
            ("get", before + second + value, "ok"),
        ]
    if anomaly == "never-written":  # a get of a value no op wrote
        return [("get", before + "x 99 0 y", "ok")]
    if anomaly == "failed-append-seen":  # an append that failed, yet a get sees it
        store.state[key] = before + value
        return [("append", value, "fail"), ("get", before + value, "ok")]
    raise ValueError(f"unknown anomaly {anomaly!r}")


FILES: dict[str, tuple[int, int, int, int, bool, str | None]] = {
    # name: (seed, ops, keys, concurrency, puts, anomaly)
    "kv-ok-small": (2, 12, 3, 3, True, None),
    "kv-ok-appends": (3, 60, 3, 4, False, None),
    "kv-ok-puts": (4, 60, 2, 5, True, None),
    "kv-ok-busy": (4, 140, 4, 5, True, None),
    "kv-bad-stale-get": (13, 9, 2, 3, True, "stale-get"),
    "kv-bad-lost-append": (8, 40, 3, 4, True, "lost-append"),
    "kv-bad-out-of-order": (33, 70, 3, 5, False, "out-of-order"),
    "kv-bad-never-written": (17, 10, 2, 2, True, "never-written"),
    "kv-bad-failed-append-seen": (33, 120, 4, 5, True, "failed-append-seen"),
}


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    expected = []
    for name, (seed, ops, keys, concurrency, puts, anomaly) in FILES.items():
        lines = simulate(seed, ops, keys, concurrency, puts=puts, anomaly=anomaly)
        (out / f"{name}.edn").write_text("\n".join(lines) + "\n")
        expected.append(f"{name}.edn\t{'false' if anomaly else 'true'}")
    (out / "expected.tsv").write_text("\n".join(expected) + "\n")


if __name__ == "__main__":
    main()
