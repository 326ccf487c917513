"""How fast `stormproof audit blame` names the writer of every line of a 2,000-line file that
50 successive generations wrote, side by side with `git blame` on the same history.

    .venv/bin/python benchmarks/audit_blame_speed.py [--rounds 15] [--json]

Set-up, not timed, in a temporary git repository: generation 1 writes the file (2,000
lines); each of generations 2 to 50 replaces 20 lines, inserts 10 and deletes 10, at random
(seeded), so that the file stays at 2,000 lines. Each is recorded with `record_generation`
and committed, so that git holds the same history; then 3 lines are edited by hand, neither
recorded nor committed. A copy of the repository gets a ledger of 10,050 entries: the same
50 generations with 200 entries for other files before each (written directly, unsigned).

Each round times, in an order rotated from round to round so that machine noise does not
always hit the same one: the library call `blame_file` on each ledger (reading and parsing
every entry included), reading the entries alone (`Ledger.entries`) on each, the command
`stormproof audit blame PATH --format json` in a new process (interpreter start-up and
imports included), and `git blame --porcelain PATH` as a reference. Reported: medians over
rounds, and how often the ledger's writer of a line is the generation whose commit
`git blame` names (both diff line by line, with different algorithms).

Target (issue 6): blame of a 2,000-line file in at most 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stormproof.ledger import Entry, FileRecord, Generation, open_ledger, record_generation
from stormproof.ledger.blame import blame_file
from stormproof.ledger.canonical import sha256
from stormproof.ledger.order import in_order
from stormproof.ledger.store import Ledger

STORMPROOF = str(Path(sys.executable).with_name("stormproof"))
PATH = "service/app.py"
LINES = 2_000
GENERATIONS = 50
FILLER = 200  # entries for other files before each generation, in the large ledger
HAND_EDITS = 3


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def clock(start: datetime) -> Callable[[], str]:
    """Times a second apart: the ledger's order, and `git blame`'s, are then the same."""
    count = iter(range(10**9))
    return lambda: (start + timedelta(seconds=next(count))).isoformat().replace("+00:00", "Z")


def build(repo: Path, seed: int) -> None:
    """The repository with its 50 generations, committed, and the hand edits."""
    rng = random.Random(seed)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Bench")
    git(repo, "config", "user.email", "bench@example.com")
    target = repo / PATH
    target.parent.mkdir(parents=True)
    serial = iter(range(10**9))

    def fresh() -> str:
        return f"    value_{next(serial)} = compute({rng.randrange(10**6)})"

    lines = [fresh() for _ in range(LINES)]
    ledger = open_ledger(repo)
    tick = clock(datetime(2026, 1, 1, tzinfo=UTC))
    for number in range(1, GENERATIONS + 1):
        if number > 1:
            for index in rng.sample(range(len(lines)), 20):
                lines[index] = fresh()
            for _ in range(10):
                lines.insert(rng.randrange(len(lines) + 1), fresh())
            for _ in range(10):
                del lines[rng.randrange(len(lines))]
        target.write_text("\n".join(lines) + "\n")
        prompt = f"Generation {number}: rework the service\n".encode()
        generation = Generation(prompt, b"response", f"model-{number}", [target], author="Bench")
        record_generation(ledger, generation, clock=tick)
        git(repo, "add", ".")
        git(repo, "commit", "-q", "-m", f"generation {number}")
    for index in rng.sample(range(len(lines)), HAND_EDITS):
        lines[index] = "    # edited by hand"
    target.write_text("\n".join(lines) + "\n")


def widen(small: Path, large: Path) -> None:
    """A copy of ``small`` whose ledger holds the same generations, each after ``FILLER``
    entries for other files, chained one after the other."""
    shutil.copytree(small, large)
    ledger = open_ledger(large)
    generations = ledger.entries()
    shutil.rmtree(ledger.entries_dir)
    ledger.entries_dir.mkdir()
    blob = ledger.put_blob(b"filler prompt")
    tick = clock(datetime(2025, 1, 1, tzinfo=UTC))
    parent: tuple[str, ...] = ()
    for number, digest in enumerate(in_order(generations)):
        for filler in range(FILLER):
            other = FileRecord(f"other/f{number}_{filler}.py", sha256(b"%d" % filler), None, None)
            entry = Entry("generation", parent, tick(), "Bench", "bench", "m", blob, blob,
                          files=(other,))  # fmt: skip
            parent = (_write(ledger, entry),)
        parent = (_write(ledger, replace(generations[digest], parents=parent, time=tick())),)


def _write(ledger: Ledger, entry: Entry) -> str:
    data = entry.encode()
    digest = sha256(data)
    (ledger.entries_dir / f"{digest}.json").write_bytes(data)
    return digest


def models(repo: Path) -> list[str]:
    """Per line, the model of the generation the ledger names (one per generation), or the
    line's origin."""
    ledger = open_ledger(repo)
    entries = ledger.entries()
    return [
        line.origin if line.writer is None else str(entries[line.writer.entry].model)
        for line in blame_file(ledger, repo / PATH).lines
    ]


def git_models(repo: Path) -> list[str]:
    """Per line, the generation whose commit `git blame` names, as its model; "human" for
    a line not committed yet."""
    summaries = [
        row.removeprefix("summary ")
        for row in git(repo, "blame", "--line-porcelain", PATH).splitlines()
        if row.startswith("summary ")
    ]
    return [
        f"model-{s.removeprefix('generation ')}" if s.startswith("generation ") else "human"
        for s in summaries
    ]


def one_round(small: Path, large: Path, order: list[str]) -> dict[str, float]:
    targets: dict[str, Callable[[], object]] = {
        "library": lambda: blame_file(open_ledger(small), small / PATH),
        "library_large": lambda: blame_file(open_ledger(large), large / PATH),
        "entries": lambda: open_ledger(small).entries(),
        "entries_large": lambda: open_ledger(large).entries(),
        "cli": lambda: subprocess.run(
            [STORMPROOF, "audit", "blame", PATH, "--format", "json"],
            cwd=small,
            capture_output=True,
            check=True,
        ),
        "git_blame": lambda: subprocess.run(
            ["git", "blame", "--porcelain", PATH], cwd=small, capture_output=True, check=True
        ),
    }
    timings = {}
    for name in order:
        started = time.perf_counter()
        targets[name]()
        timings[name] = time.perf_counter() - started
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="blame-bench-") as temporary:
        small, large = Path(temporary) / "small", Path(temporary) / "large"
        small.mkdir()
        build(small, seed=6)
        widen(small, large)
        names = ["library", "library_large", "entries", "entries_large", "cli", "git_blame"]
        rounds = []
        for number in range(args.rounds):
            shift = number % len(names)
            rounds.append(one_round(small, large, names[shift:] + names[:shift]))
        ours, theirs = models(small), git_models(small)
        # The large ledger names other entries (other parents, other hashes), the same models.
        assert models(large) == ours, "the two ledgers disagree"
        sizes = [len(open_ledger(root).entries()) for root in (small, large)]

    medians = {name: statistics.median(r[name] for r in rounds) for name in names}
    report = {
        "rounds": args.rounds,
        "file_lines": LINES,
        "generations": GENERATIONS,
        "entries": sizes,
        "median_s": medians,
        "attribution": {
            "generated": sum(1 for m in ours if m.startswith("model-")),
            "human": ours.count("human"),
            "unknown": ours.count("unknown"),
            "writers": len({m for m in ours if m.startswith("model-")}),
            "same_as_git_blame": sum(1 for a, b in zip(ours, theirs, strict=True) if a == b),
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    ms = {name: value * 1000 for name, value in medians.items()}
    a = report["attribution"]
    print(f"blame of a {LINES:,}-line file written by {GENERATIONS} generations "
          f"(+{HAND_EDITS} hand edits), {args.rounds} rounds, medians")  # fmt: skip
    for name, entries in (("library", sizes[0]), ("library_large", sizes[1])):
        reading = ms[name.replace("library", "entries")]
        print(f"  library call, {entries:>6,}-entry ledger: {ms[name]:7.1f} ms"
              f"   (of which reading the entries: {reading:.1f} ms)")  # fmt: skip
    print(f"  CLI, new process, --format json:    {ms['cli']:7.1f} ms")
    print(f"  git blame --porcelain (reference):  {ms['git_blame']:7.1f} ms")
    print(f"  {a['generated']} lines by {a['writers']} generations, {a['human']} human-written;"
          f" the same writer as git blame's on {a['same_as_git_blame']} of {LINES:,}")  # fmt: skip
    print("  target (issue 6): at most 500 ms")


if __name__ == "__main__":
    main()
