"""set_full: acknowledged elements lost or read stale, judged on the history alone, with
Jepsen's care for reads concurrent with the add."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stormproof.history import MAX_WITNESSES, History, Verdict
from stormproof.history.set_full import set_full
from tests.history.build import history
from tests.history.checking import judge
from tests.history.simulated import linearized

SET = set_full("set")


def counts(**changed):
    zero = dict.fromkeys(
        ["attempted", "acknowledged", "recovered", "lost", "stale", "never_read"], 0
    )
    return {**zero, **changed}


def test_every_acknowledged_element_read_back_holds():
    h = history(
        ("invoke", 0, "add", 1),
        ("ok", 0, "add", 1),
        ("invoke", 1, "add", 2),
        ("ok", 1, "add", 2),
        ("invoke", 0, "read", None),
        ("ok", 0, "read", [2, 1]),
    )
    assert judge(SET, h) == Verdict(
        "set",
        True,
        "2 added elements, none lost or stale",
        counts=counts(attempted=2, acknowledged=2),
    )


def test_an_acknowledged_element_no_later_read_shows_is_lost():
    h = history(
        ("invoke", 0, "add", 1),
        ("ok", 0, "add", 1),
        ("invoke", 0, "add", 2),
        ("ok", 0, "add", 2),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", [2]),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", [2]),
    )
    verdict = judge(SET, h)
    assert verdict.valid is False
    assert verdict.message == "1 of 2 added elements lost"
    # The last read that missed it; the summary adds its invoke.
    assert verdict.witnesses == ({"element": 1, "problem": "lost", "ops": [0, 1, 7]},)
    assert verdict.counts == counts(attempted=2, acknowledged=2, lost=1)


def test_an_element_seen_and_then_gone_for_good_is_lost():
    h = history(
        ("invoke", 0, "add", 1),
        ("ok", 0, "add", 1),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", [1]),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", []),
    )
    verdict = judge(SET, h)
    assert verdict.witnesses == ({"element": 1, "problem": "lost", "ops": [0, 1, 5]},)


def test_an_element_missed_after_its_ack_and_seen_later_is_stale():
    h = history(
        ("invoke", 0, "add", "x"),
        ("ok", 0, "add", "x"),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", []),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", ["x"]),
    )
    verdict = judge(SET, h)
    assert verdict.valid is False
    assert verdict.message == "1 of 1 added element stale"
    assert verdict.witnesses == ({"element": "x", "problem": "stale", "ops": [0, 1, 3]},)
    assert verdict.counts == counts(attempted=1, acknowledged=1, stale=1)


def test_lost_and_stale_together_lost_first():
    h = history(
        ("invoke", 0, "add", "stale"),
        ("ok", 0, "add", "stale"),
        ("invoke", 0, "add", "lost"),
        ("ok", 0, "add", "lost"),
        ("invoke", 0, "add", "kept"),
        ("ok", 0, "add", "kept"),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", ["kept"]),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", ["kept", "stale"]),
    )
    verdict = judge(SET, h)
    assert verdict.message == "1 of 3 added elements lost, 1 stale"
    assert [(w["element"], w["problem"]) for w in verdict.witnesses] == [
        ("lost", "lost"),
        ("stale", "stale"),
    ]


def test_a_read_concurrent_with_the_add_may_miss_it():
    # The read began before the add was acknowledged: it may have taken effect first.
    h = history(
        ("invoke", 1, "read", None),
        ("invoke", 0, "add", 1),
        ("ok", 0, "add", 1),
        ("ok", 1, "read", []),
    )
    verdict = judge(SET, h)
    assert verdict == Verdict(
        "set",
        True,
        "1 added element, none lost or stale, 1 never read",
        counts=counts(attempted=1, acknowledged=1, never_read=1),
    )


def test_a_concurrent_miss_before_a_later_read_that_sees_it_is_not_stale():
    h = history(
        ("invoke", 1, "read", None),
        ("invoke", 0, "add", 1),
        ("ok", 0, "add", 1),
        ("ok", 1, "read", []),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", [1]),
    )
    assert judge(SET, h).counts == counts(attempted=1, acknowledged=1)


def test_a_miss_concurrent_with_the_read_that_made_it_known_is_not_lost():
    # The info add is known only from read 1's completion (op 5); read 2 began before that.
    h = history(
        ("invoke", 0, "add", 1),
        ("info", 0, "add", 1),
        ("invoke", 1, "read", None),
        ("invoke", 2, "read", None),
        ("ok", 2, "read", []),
        ("ok", 1, "read", [1]),
    )
    verdict = judge(SET, h)
    assert verdict.valid is True
    assert verdict.counts == counts(attempted=1, recovered=1, never_read=1)


def test_unacknowledged_adds_that_show_up_are_recovered_and_others_are_not_judged():
    h = history(
        ("invoke", 0, "add", "timed-out"),
        ("info", 0, "add", "timed-out"),
        ("invoke", 1, "add", "failed"),
        ("fail", 1, "add", "failed"),
        ("invoke", 1, "add", "hung"),
        ("invoke", 2, "read", None),
        ("ok", 2, "read", ["timed-out"]),
    )
    verdict = judge(SET, h)
    assert verdict == Verdict(
        "set",
        True,
        "1 added element, none lost or stale",
        counts=counts(attempted=3, recovered=1),
    )


def test_an_element_known_from_a_read_and_lost_later_is_witnessed_from_that_read():
    h = history(
        ("invoke", 0, "add", 1),
        ("info", 0, "add", 1),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", [1]),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", []),
    )
    verdict = judge(SET, h)
    assert verdict.message == "1 of 1 added element lost"
    assert verdict.witnesses == ({"element": 1, "problem": "lost", "ops": [0, 3, 5]},)


def test_reads_that_fail_time_out_or_never_complete_say_nothing():
    h = history(
        ("invoke", 0, "add", 1),
        ("ok", 0, "add", 1),
        ("invoke", 1, "read", None),
        ("fail", 1, "read", None),
        ("invoke", 1, "read", None),
        ("info", 1, "read", None),
        ("invoke", 2, "read", None),
    )
    assert judge(SET, h).counts == counts(attempted=1, acknowledged=1, never_read=1)


def test_a_read_that_ended_before_the_add_began_says_nothing():
    h = history(
        ("invoke", 1, "read", None),
        ("ok", 1, "read", [1]),
        ("invoke", 0, "add", 1),
        ("ok", 0, "add", 1),
    )
    assert judge(SET, h).counts == counts(attempted=1, acknowledged=1, never_read=1)


def test_a_read_that_ended_before_the_add_began_does_not_make_it_known():
    h = history(
        ("invoke", 1, "read", None),
        ("ok", 1, "read", [1]),
        ("invoke", 0, "add", 1),
        ("info", 0, "add", 1),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", []),
    )
    assert judge(SET, h).counts == counts(attempted=1)


def test_the_read_that_completed_first_makes_it_known_not_the_one_invoked_first():
    h = history(
        ("invoke", 0, "add", "x"),
        ("info", 0, "add", "x"),
        ("invoke", 1, "read", None),
        ("invoke", 2, "read", None),
        ("ok", 2, "read", ["x"]),  # known from here
        ("invoke", 3, "read", None),
        ("ok", 3, "read", []),  # began after it was known, and began last
        ("ok", 1, "read", ["x"]),
    )
    verdict = judge(SET, h)
    assert verdict.witnesses == ({"element": "x", "problem": "lost", "ops": [0, 4, 6]},)


def test_the_ack_that_came_first_makes_it_known_whichever_add_began_first():
    h = history(
        ("invoke", 0, "add", "x"),
        ("invoke", 1, "add", "x"),
        ("ok", 1, "add", "x"),
        ("invoke", 2, "read", None),
        ("ok", 2, "read", []),
        ("ok", 0, "add", "x"),
    )
    verdict = judge(SET, h)
    assert verdict.witnesses == ({"element": "x", "problem": "lost", "ops": [0, 2, 4]},)


def test_an_element_added_twice_is_one_element_known_from_its_first_ack():
    h = history(
        ("invoke", 0, "add", 1),
        ("info", 0, "add", 1),
        ("invoke", 1, "add", 1),
        ("ok", 1, "add", 1),
        ("invoke", 2, "read", None),
        ("ok", 2, "read", []),
    )
    verdict = judge(SET, h)
    assert verdict.counts == counts(attempted=1, acknowledged=1, lost=1)
    assert verdict.witnesses[0]["ops"] == [0, 3, 5]


def test_elements_may_be_objects_and_lists():
    h = history(
        ("invoke", 0, "add", {"id": 1, "tags": ["a"]}),
        ("ok", 0, "add", {"id": 1, "tags": ["a"]}),
        ("invoke", 0, "add", [1, 2]),
        ("ok", 0, "add", [1, 2]),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", [{"tags": ["a"], "id": 1}, [2, 1]]),
    )
    verdict = judge(SET, h)
    assert verdict.witnesses == ({"element": [1, 2], "problem": "lost", "ops": [2, 3, 5]},)


def test_the_functions_can_be_named():
    h = history(
        ("invoke", 0, "insert", 1),
        ("ok", 0, "insert", 1),
        ("invoke", 0, "add", 2),
        ("ok", 0, "add", 2),
        ("invoke", 0, "scan", None),
        ("ok", 0, "scan", []),
        ("invoke", 0, "read", None),
        ("ok", 0, "read", "not judged"),
    )
    verdict = judge(set_full("rows", add="insert", read="scan"), h)
    assert verdict.message == "1 of 1 added element lost"


def test_no_adds_is_valid_and_says_so():
    h = history(("invoke", 0, "read", None), ("ok", 0, "read", [1]))
    assert judge(SET, h) == Verdict("set", True, "no adds to check", counts=counts())
    assert judge(SET, History([])).counts == counts()


@pytest.mark.parametrize(
    ("value", "kind"),
    [("12", "a string"), ({"a": 1}, "an object"), (None, "null"), (3, "a number")],
)
def test_a_read_that_is_not_a_list_is_unknown_naming_the_op(value, kind):
    h = history(("invoke", 0, "read", None), ("ok", 0, "read", value))
    assert judge(SET, h) == Verdict(
        "set", "unknown", f"ValueError: ok read at op 1 returned {kind}, not a list of elements"
    )


def test_witnesses_are_capped_but_counts_and_message_say_all():
    many = 25
    rows = []
    for i in range(many):
        rows += [("invoke", 0, "add", i), ("ok", 0, "add", i)]
    rows += [("invoke", 1, "read", None), ("ok", 1, "read", [])]
    verdict = judge(SET, history(*rows))
    assert verdict.message == f"{many} of {many} added elements lost"
    assert verdict.counts["lost"] == many
    assert [w["element"] for w in verdict.witnesses] == list(range(MAX_WITNESSES))


def a_set():
    items = []

    def apply(f, value):
        if f == "add":
            items.append(value)
            return value
        return list(items)

    return apply


OPS = st.one_of(st.tuples(st.just("add"), st.integers(0, 9)), st.just(("read", None)))


@given(linearized(a_set, OPS))
def test_a_correct_set_never_loses_an_element_or_reads_one_stale(h):
    verdict = judge(SET, h)
    assert verdict.valid is True, verdict.witnesses
    c = verdict.counts
    assert c["lost"] == c["stale"] == 0
    assert c["acknowledged"] + c["recovered"] <= c["attempted"]
    assert c["attempted"] == len({op.value for op in h if op.f == "add"})


def forgetful_set():
    """A set whose reads never show element 0, though adding it succeeds."""
    apply = a_set()

    def forget(f, value):
        result = apply(f, value)
        return [x for x in result if x != 0] if f == "read" else result

    return forget


@given(linearized(forgetful_set, OPS))
def test_a_set_that_drops_an_acknowledged_element_is_caught_when_a_read_follows(h):
    acked = [op.index for op in h if op.type == "ok" and op.f == "add" and op.value == 0]
    read_after = acked and any(invoke.index > acked[0] for invoke, _ in h.completed("ok", "read"))
    verdict = judge(SET, h)
    assert (verdict.counts["lost"] == 1) == bool(read_after)
