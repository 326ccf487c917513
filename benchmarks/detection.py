"""Detection quality of `stormproof check`: precision and recall per rule and per category.

    python benchmarks/detection.py [--set corpus|travel|holdout|all]

Three labeled sets:
- corpus: tests/corpus/<category>/<case>/, each case checked with its category's
  rules; `# expect: SPxxx` comments are the ground truth (tests/check/corpus.py);
- travel: examples/travel/naive, every rule on, labeled in
  tests/data/travel_naive_expected.json;
- holdout: benchmarks/holdout/<system>/, every rule on, written and labeled
  apart from rule development (benchmarks/holdout/README.md); findings on lines
  listed in its ambiguous.json are not scored. Its misses have since been used
  to improve the rules, so it is no longer unseen;
- holdout2: benchmarks/holdout2/<system>/, the same, and still unseen by rule
  development (benchmarks/holdout2/README.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


from stormproof.check import CheckOptions, run_check  # noqa: E402
from stormproof.check.rules import ALL_RULES  # noqa: E402
from tests.check.corpus import cases  # noqa: E402

Label = tuple[str, int, str]
CATEGORY = {rule.id: rule.category for rule in ALL_RULES}


class Score:
    def __init__(self) -> None:
        self.tp: Counter[str] = Counter()
        self.fp: Counter[str] = Counter()
        self.fn: Counter[str] = Counter()
        self.misses: list[str] = []

    def add(self, where: str, expected: set[Label], actual: set[Label], ignored=frozenset()):
        for label in expected & actual:
            self.tp[label[2]] += 1
        for label in actual - expected - ignored:
            self.fp[label[2]] += 1
            self.misses.append(f"  false positive {where}/{label[0]}:{label[1]} {label[2]}")
        for label in expected - actual:
            self.fn[label[2]] += 1
            self.misses.append(f"  false negative {where}/{label[0]}:{label[1]} {label[2]}")


def score_corpus(score: Score) -> None:
    for case in cases():
        if case.rule_ids:
            score.add(f"corpus/{case.id}", case.expected(), case.actual())


def score_travel(score: Score) -> None:
    example = REPO / "examples" / "travel" / "naive"
    expected = set()
    for label in json.loads((REPO / "tests/data/travel_naive_expected.json").read_text()):
        lines = (example / label["path"]).read_text().splitlines()
        line = next(n for n, text in enumerate(lines, 1) if label["line_contains"] in text)
        expected.add((label["path"], line, label["rule"]))
    score.add("travel/naive", expected, _findings(example))


def _validator(directory: str) -> ModuleType:
    path = REPO / "benchmarks" / directory / "validate_labels.py"
    spec = importlib.util.spec_from_file_location(f"{directory}_labels", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def score_holdout(score: Score, directory: str = "holdout") -> None:
    labels = _validator(directory)
    for system in labels.systems():
        expected, ignored = labels.resolve(system)
        score.add(f"{directory}/{system.name}", expected, _findings(system), ignored)


def _findings(directory: Path) -> set[Label]:
    result = run_check([directory], CheckOptions(cache=False))
    return {(f.path, f.line, f.rule) for f in result.findings}


def _ratio(hits: int, misses: int) -> str:
    return f"{hits / (hits + misses):.3f}" if hits + misses else "-"


def _row(name: str, tp: int, fp: int, fn: int) -> str:
    return f"{name:<17}{tp:>5}{fp:>5}{fn:>5}{_ratio(tp, fp):>11}{_ratio(tp, fn):>8}"


def report(title: str, score: Score, verbose: bool) -> None:
    print(f"\n== {title}")
    print(f"{'rule / category':<17}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
    rules = sorted(set(score.tp) | set(score.fp) | set(score.fn))
    for rule in rules:
        print(_row(rule, score.tp[rule], score.fp[rule], score.fn[rule]))
    for category in sorted({CATEGORY.get(r, "?") for r in rules}):
        members = [r for r in rules if CATEGORY.get(r) == category]
        print(_row(category, *(sum(c[r] for r in members) for c in (score.tp, score.fp, score.fn))))
    print(_row("all", sum(score.tp.values()), sum(score.fp.values()), sum(score.fn.values())))
    if verbose:
        print("\n".join(score.misses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set", choices=["corpus", "travel", "holdout", "holdout2", "all"], default="all"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    scorers = {
        "corpus": score_corpus,
        "travel": score_travel,
        "holdout": score_holdout,
        "holdout2": lambda score: score_holdout(score, "holdout2"),
    }
    for name, scorer in scorers.items():
        if args.set in (name, "all"):
            score = Score()
            scorer(score)
            report(name, score, args.verbose)


if __name__ == "__main__":
    main()
