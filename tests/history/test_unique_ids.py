"""unique_ids: no id handed out twice by acknowledged calls."""

import pytest

from stormproof.history import MAX_WITNESSES, History, Verdict
from stormproof.history.unique_ids import unique_ids
from tests.history.build import history
from tests.history.checking import judge

IDS = unique_ids("ids")


def generated(*values, f="generate"):
    rows = []
    for value in values:
        rows += [("invoke", 0, f, None), ("ok", 0, f, value)]
    return rows


def test_distinct_ids_hold():
    verdict = judge(IDS, history(*generated(1, 2, "3")))
    assert verdict == Verdict(
        "ids",
        True,
        "3 ids, all distinct",
        counts={"acknowledged": 3, "distinct": 3, "duplicated": 0},
    )


def test_repeated_ids_come_most_repeated_first_with_their_ops():
    verdict = judge(IDS, history(*generated("a", "b", "c", "b", "c", "c", "d")))
    assert verdict.valid is False
    assert verdict.message == "2 of 4 ids returned more than once"
    assert verdict.witnesses == (
        {"id": "c", "count": 3, "ops": [5, 9, 11]},
        {"id": "b", "count": 2, "ops": [3, 7]},
    )
    assert verdict.counts == {"acknowledged": 7, "distinct": 4, "duplicated": 2}


def test_ties_come_earliest_first():
    verdict = judge(IDS, history(*generated("y", "x", "x", "y")))
    assert [w["id"] for w in verdict.witnesses] == ["y", "x"]


def test_objects_and_lists_are_compared_by_content():
    verdict = judge(IDS, history(*generated({"n": 1, "s": [1]}, {"s": [1], "n": 1}, [1], (1,))))
    assert verdict.witnesses == (
        {"id": {"n": 1, "s": [1]}, "count": 2, "ops": [1, 3]},
        {"id": [1], "count": 2, "ops": [5, 7]},
    )


def test_only_acknowledged_calls_of_the_function_count():
    h = history(
        ("invoke", 0, "generate", None),
        ("fail", 0, "generate", 7),
        ("invoke", 1, "generate", None),
        ("info", 1, "generate", 7),
        *generated(7),
        *generated(7, f="read"),
    )
    assert judge(IDS, h).valid is True
    assert judge(unique_ids("reads", f="read"), h).counts["acknowledged"] == 1


def test_no_ids_is_valid_and_says_so():
    assert judge(IDS, History([])) == Verdict(
        "ids", True, "no ids to check", counts={"acknowledged": 0, "distinct": 0, "duplicated": 0}
    )


def test_an_ok_without_an_id_is_unknown_naming_the_op():
    verdict = judge(IDS, history(*generated(1, None)))
    assert verdict == Verdict("ids", "unknown", "ValueError: ok op 3 ('generate') returned no id")


@pytest.mark.parametrize("many", [MAX_WITNESSES + 5])
def test_witnesses_are_capped_but_counts_and_message_say_all(many):
    verdict = judge(IDS, history(*generated(*range(many), *range(many))))
    assert verdict.message == f"{many} of {many} ids returned more than once"
    assert verdict.counts["duplicated"] == many
    assert len(verdict.witnesses) == MAX_WITNESSES
