"""Detection quality of `stormproof check` on the labeled corpus: precision and recall per rule.

    python benchmarks/detection.py

Each case under tests/corpus/<category>/<case>/ is checked with its category's
rules; `# expect: SPxxx` comments are the ground truth (see tests/check/corpus.py).
The naive travel example, labeled in tests/data/travel_naive_expected.json, is
scored too, with every rule on.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stormproof.check import CheckOptions, run_check  # noqa: E402
from tests.check.corpus import cases  # noqa: E402


def travel_labels() -> tuple[set[tuple[str, int, str]], set[tuple[str, int, str]]]:
    example = REPO / "examples" / "travel" / "naive"
    expected = set()
    for label in json.loads((REPO / "tests/data/travel_naive_expected.json").read_text()):
        lines = (example / label["path"]).read_text().splitlines()
        line = next(n for n, text in enumerate(lines, 1) if label["line_contains"] in text)
        expected.add((label["path"], line, label["rule"]))
    result = run_check([example], CheckOptions(cache=False))
    return expected, {(f.path, f.line, f.rule) for f in result.findings}


def main() -> None:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    corpus = cases()
    for case in corpus:
        if not case.rule_ids:
            continue
        expected, actual = case.expected(), case.actual()
        for label in expected & actual:
            tp[label[2]] += 1
        for label in actual - expected:
            fp[label[2]] += 1
        for label in expected - actual:
            fn[label[2]] += 1
    expected, actual = travel_labels()
    for label in expected & actual:
        tp[label[2]] += 1
    for label in actual - expected:
        fp[label[2]] += 1
    for label in expected - actual:
        fn[label[2]] += 1

    print(f"{len(corpus)} corpus cases + examples/travel/naive")
    print(f"{'rule':<7}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
    for rule in sorted(set(tp) | set(fp) | set(fn)):
        print(
            f"{rule:<7}{tp[rule]:>5}{fp[rule]:>5}{fn[rule]:>5}"
            f"{_ratio(tp[rule], fp[rule]):>11}{_ratio(tp[rule], fn[rule]):>8}"
        )
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(
        f"{'all':<7}{total_tp:>5}{total_fp:>5}{total_fn:>5}"
        f"{_ratio(total_tp, total_fp):>11}{_ratio(total_tp, total_fn):>8}"
    )


def _ratio(hits: int, misses: int) -> str:
    return f"{hits / (hits + misses):.3f}" if hits + misses else "-"


if __name__ == "__main__":
    main()
