"""counter_bounds: every read of a counter lies between what surely happened and what may
have, for positive and negative deltas, adds that time out, fail, or never complete."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stormproof.history import MAX_WITNESSES, History, Verdict
from stormproof.history.counter_bounds import counter_bounds
from tests.history.build import history
from tests.history.checking import judge
from tests.history.simulated import linearized

COUNTER = counter_bounds("counter")


def bounds(*rows):
    """The one read's verdict: None within bounds, else (lower, upper)."""
    verdict = judge(COUNTER, history(*rows))
    assert verdict.counts["reads"] == 1
    if verdict.valid:
        return None
    [witness] = verdict.witnesses
    return witness["lower"], witness["upper"]


def test_sequential_adds_and_reads_hold():
    h = history(
        ("invoke", 0, "add", 1),
        ("ok", 0, "add", 1),
        ("invoke", 0, "read", None),
        ("ok", 0, "read", 1),
        ("invoke", 0, "add", 2),
        ("ok", 0, "add", 2),
        ("invoke", 0, "read", None),
        ("ok", 0, "read", 3),
    )
    assert judge(COUNTER, h) == Verdict(
        "counter", True, "2 reads within bounds", counts={"reads": 2, "out_of_bounds": 0}
    )


@pytest.mark.parametrize("read", [2, 4])
def test_a_read_no_order_explains_is_witnessed_with_its_bounds(read):
    h = history(
        ("invoke", 0, "add", 1),
        ("ok", 0, "add", 1),
        ("invoke", 0, "add", 2),
        ("ok", 0, "add", 2),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", read),
    )
    verdict = judge(COUNTER, h)
    assert verdict.valid is False
    assert verdict.message == "1 of 1 read out of bounds"
    assert verdict.witnesses == ({"ops": [4, 5], "read": read, "lower": 3, "upper": 3},)
    assert verdict.counts == {"reads": 1, "out_of_bounds": 1}


@pytest.mark.parametrize(("read", "outside"), [(0, None), (5, None), (6, (0, 5)), (-1, (0, 5))])
def test_an_add_concurrent_with_the_read_may_or_may_not_count(read, outside):
    rows = [
        ("invoke", 0, "add", 5),
        ("invoke", 1, "read", None),
        ("ok", 0, "add", 5),  # acknowledged after the read began: not surely before it
        ("ok", 1, "read", read),
    ]
    assert bounds(*rows) == outside


@pytest.mark.parametrize(("end", "outside"), [("info", None), (None, None), ("fail", (0, 0))])
def test_an_add_that_timed_out_or_never_completed_may_count_one_that_failed_never(end, outside):
    # Even a failure reported after the read returned: it never happened.
    rows = [("invoke", 0, "add", 5), ("invoke", 1, "read", None), ("ok", 1, "read", 5)]
    if end is not None:
        rows.append((end, 0, "add", 5))
    assert bounds(*rows) == outside


def test_an_add_invoked_after_the_read_returned_never_counts():
    rows = [
        ("invoke", 1, "read", None),
        ("ok", 1, "read", 5),
        ("invoke", 0, "add", 5),
        ("ok", 0, "add", 5),
    ]
    assert bounds(*rows) == (0, 0)


@pytest.mark.parametrize(("read", "outside"), [(-3, None), (0, None), (-4, (-3, 0)), (1, (-3, 0))])
def test_a_negative_delta_lowers_the_lower_bound_when_it_may_have_happened(read, outside):
    rows = [("invoke", 0, "add", -3), ("invoke", 1, "read", None), ("ok", 1, "read", read)]
    assert bounds(*rows) == outside


@pytest.mark.parametrize(("read", "outside"), [(-3, None), (0, (-3, -3))])
def test_a_negative_delta_lowers_the_upper_bound_when_it_surely_happened(read, outside):
    rows = [
        ("invoke", 0, "add", -3),
        ("ok", 0, "add", -3),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", read),
    ]
    assert bounds(*rows) == outside


@pytest.mark.parametrize(("read", "outside"), [(-3, None), (0, None), (1, (-3, 0))])
def test_a_negative_delta_acknowledged_during_the_read_may_not_have_happened_yet(read, outside):
    rows = [
        ("invoke", 0, "add", -3),
        ("invoke", 1, "read", None),
        ("ok", 0, "add", -3),
        ("ok", 1, "read", read),
    ]
    assert bounds(*rows) == outside


def test_mixed_deltas_bound_each_way():
    rows = [
        ("invoke", 0, "add", 10),
        ("ok", 0, "add", 10),  # surely: 10
        ("invoke", 0, "add", -4),
        ("ok", 0, "add", -4),  # surely: -4
        ("invoke", 2, "add", 7),  # may: +7
        ("invoke", 3, "add", -2),  # may: -2
        ("invoke", 1, "read", None),
        ("ok", 1, "read", 100),
    ]
    assert bounds(*rows) == (10 - 4 - 2, 10 - 4 + 7)


def test_initial_value_shifts_both_bounds():
    h = history(("invoke", 0, "read", None), ("ok", 0, "read", 9))
    verdict = judge(counter_bounds("c", initial=10), h)
    assert verdict.witnesses == ({"ops": [0, 1], "read": 9, "lower": 10, "upper": 10},)


def test_float_deltas_are_summed_exactly_and_tolerance_allows_for_the_systems_rounding():
    rows = []
    total = 0.0
    for _ in range(10):
        rows += [("invoke", 0, "add", 0.1), ("ok", 0, "add", 0.1)]
        total += 0.1
    rows += [("invoke", 0, "read", None), ("ok", 0, "read", total)]
    assert total != 1.0
    strict = judge(counter_bounds("c"), history(*rows))
    assert strict.valid is False
    [witness] = strict.witnesses
    assert witness["lower"] == witness["upper"] == pytest.approx(1.0)
    assert isinstance(witness["lower"], float)
    assert judge(counter_bounds("c", tolerance=1e-9), history(*rows)).valid is True
    rows[-1] = ("ok", 0, "read", 1.1)
    assert judge(counter_bounds("c", tolerance=1e-9), history(*rows)).valid is False


def test_reads_that_fail_or_time_out_are_not_judged():
    h = history(
        ("invoke", 0, "read", None),
        ("fail", 0, "read", None),
        ("invoke", 0, "read", None),
        ("info", 0, "read", 99),
        ("invoke", 1, "read", None),
    )
    assert judge(COUNTER, h) == Verdict(
        "counter", True, "no reads to check", counts={"reads": 0, "out_of_bounds": 0}
    )
    assert judge(COUNTER, History([])).message == "no reads to check"


def test_a_nan_read_is_out_of_bounds():
    verdict = judge(COUNTER, history(("invoke", 0, "read", None), ("ok", 0, "read", math.nan)))
    assert verdict.valid is False


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("invoke", 0, "add", "1")], "add at op 0 is a string, not a finite number"),
        ([("invoke", 0, "add", True)], "add at op 0 is a boolean, not a finite number"),
        ([("invoke", 0, "add", math.inf)], "add at op 0 is inf, not a finite number"),
        (
            [("invoke", 0, "read", None), ("ok", 0, "read", [1])],
            "ok read at op 1 returned a list, not a number",
        ),
        (
            [("invoke", 0, "read", None), ("ok", 0, "read", None)],
            "ok read at op 1 returned null, not a number",
        ),
    ],
)
def test_bad_values_are_unknown_naming_the_op(rows, message):
    assert judge(COUNTER, history(*rows)) == Verdict("counter", "unknown", f"ValueError: {message}")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"initial": "0"}, "initial is a string, not a finite number"),
        ({"tolerance": math.nan}, "tolerance is nan, not a finite number"),
        ({"tolerance": -1}, "tolerance is -1, not >= 0"),
    ],
)
def test_bad_options_are_refused_when_the_invariant_is_made(options, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        counter_bounds("c", **options)


def test_witnesses_come_earliest_first_and_are_capped():
    many = 25
    rows = []
    for i in range(many):
        rows += [("invoke", 0, "read", None), ("ok", 0, "read", i + 1)]
    verdict = judge(COUNTER, history(*rows))
    assert verdict.message == f"{many} of {many} reads out of bounds"
    assert verdict.counts == {"reads": many, "out_of_bounds": many}
    assert [w["read"] for w in verdict.witnesses] == list(range(1, MAX_WITNESSES + 1))


def a_counter():
    total = 0

    def apply(f, value):
        nonlocal total
        if f == "add":
            total += value
            return value
        return total

    return apply


OPS = st.one_of(st.tuples(st.just("add"), st.integers(-5, 5)), st.just(("read", None)))


@given(linearized(a_counter, OPS))
def test_a_correct_counter_is_always_within_bounds(h):
    verdict = judge(COUNTER, h)
    assert verdict.valid is True, verdict.witnesses
    assert verdict.counts["reads"] == len(h.completed("ok", "read"))
