"""How fast `stormproof check` is on a large tree, side by side with semgrep.

The tree is a copy of this interpreter's standard library (site-packages left
out). Each round runs, back to back: semgrep with one rule, stormproof
uncached, and stormproof cached (after a warm-up run that fills the cache).
Rounds interleave the tools so machine noise hits them alike; we report
medians and ratios.

    python benchmarks/check_speed.py [--rounds 5] [--semgrep PATH]

Targets (issue 2): uncached <= 1.5x semgrep's single-rule time; cached <= 25%
of uncached. Also reported: an uncached run with the import prefilter off
(every file parsed and analysed), the worst case for a tree where every file
imports an HTTP or datastore library.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
RULE = HERE / "semgrep-timeout-rule.yaml"


def prepare_tree() -> Path:
    tree = WORK / "stdlib"
    if not tree.is_dir():
        shutil.copytree(
            sysconfig.get_paths()["stdlib"],
            tree,
            ignore=shutil.ignore_patterns("site-packages", "__pycache__", "*.pyc"),
            symlinks=True,
        )
        # Scan everything: without this file semgrep skips test directories by default.
        (tree / ".semgrepignore").write_text("", encoding="utf-8")
    return tree


def count_lines(tree: Path) -> tuple[int, int]:
    files = list(tree.rglob("*.py"))
    return len(files), sum(f.read_bytes().count(b"\n") for f in files)


def find_semgrep(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    local = WORK / "semgrep-venv" / "bin" / "semgrep"
    return str(local) if local.exists() else shutil.which("semgrep")


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed


# The console script, not `python -m`: -m would put the copied stdlib first on sys.path.
STORMPROOF = str(Path(sys.executable).with_name("stormproof"))


def stormproof(*extra: str) -> list[str]:
    return [
        STORMPROOF,
        "check",
        ".",
        "--format",
        "json",
        "-o",
        "/dev/null",
        "--include-tests",  # semgrep scans the test directories too
        *extra,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--semgrep", help="semgrep executable (default: .work venv or PATH)")
    args = parser.parse_args()

    tree = prepare_tree()
    files, lines = count_lines(tree)
    semgrep = find_semgrep(args.semgrep)
    print(f"tree: {tree} ({files:,} files, {lines:,} lines)")
    if semgrep is None:
        print(
            "semgrep not found: `python -m venv benchmarks/.work/semgrep-venv && "
            "benchmarks/.work/semgrep-venv/bin/pip install semgrep` to compare"
        )

    samples: dict[str, list[float]] = {"semgrep": [], "uncached": [], "cached": [], "all": []}
    shutil.rmtree(tree / ".stormproof", ignore_errors=True)
    timed(stormproof(), tree)  # warm-up: fills the cache for the cached runs
    for _ in range(args.rounds):
        if semgrep is not None:
            samples["semgrep"].append(
                timed(
                    [
                        semgrep,
                        "scan",
                        "--config",
                        str(RULE),
                        "--metrics=off",
                        "--disable-version-check",
                        "--json",
                        "-q",
                        "-o",
                        "/dev/null",
                        ".",
                    ],
                    tree,
                )
            )
        samples["uncached"].append(timed(stormproof("--no-cache"), tree))
        samples["cached"].append(timed(stormproof(), tree))
        samples["all"].append(
            timed(
                [
                    sys.executable,
                    "-I",  # isolated: the copied stdlib in the working directory stays out
                    "-c",
                    "import pathlib; from stormproof.check import *; "
                    "run_check([pathlib.Path('.')], "
                    "CheckOptions(cache=False, prefilter=False, include_tests=True))",
                ],
                tree,
            )
        )

    medians = {k: statistics.median(v) for k, v in samples.items() if v}
    print(json.dumps({k: [round(x, 3) for x in v] for k, v in samples.items() if v}))
    print(f"{'run':<34}{'median s':>10}")
    labels = {
        "semgrep": "semgrep, one rule",
        "uncached": "stormproof, all rules, uncached",
        "cached": "stormproof, all rules, cached",
        "all": "stormproof, prefilter off",
    }
    for key, label in labels.items():
        if key in medians:
            print(f"{label:<34}{medians[key]:>10.3f}")
    if "semgrep" in medians:
        ratio = medians["uncached"] / medians["semgrep"]
        print(f"uncached / semgrep = {ratio:.2f} (target <= 1.5)")
    print(f"cached / uncached = {medians['cached'] / medians['uncached']:.2f} (target <= 0.25)")


if __name__ == "__main__":
    main()
