"""Every corpus case produces exactly its labeled findings: no more, no fewer."""

from __future__ import annotations

import pytest

from tests.check.corpus import Case, cases

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_findings_match_labels(case: Case) -> None:
    if not case.rule_ids:
        pytest.skip(f"no rules of category {case.category!r} are registered yet")
    expected = case.expected()
    actual = case.actual()
    missed = sorted(expected - actual)
    spurious = sorted(actual - expected)
    assert not missed and not spurious, (
        f"\nmissed (false negatives): {missed}\nspurious (false positives): {spurious}"
    )


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 10
