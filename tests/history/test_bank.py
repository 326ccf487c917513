"""bank: every read of all the balances adds up to the total, none negative."""

import math

import pytest

from stormproof.history import MAX_WITNESSES, History, Verdict
from stormproof.history.bank import bank
from tests.history.build import history
from tests.history.checking import judge

BANK = bank("bank", total=100)


def reads(*values):
    rows = []
    for i, value in enumerate(values):
        rows += [("invoke", i, "read", None), ("ok", i, "read", value)]
    return history(*rows)


def counts(reads, wrong_total=0, negative=0):
    return {"reads": reads, "wrong_total": wrong_total, "negative": negative}


def test_reads_that_add_up_hold():
    h = reads({"a": 60, "b": 40}, {"a": 0, "b": 100})
    assert judge(BANK, h) == Verdict(
        "bank", True, "2 reads, each totalling 100, none negative", counts=counts(2)
    )


def test_a_wrong_total_is_witnessed_with_the_read():
    verdict = judge(BANK, reads({"a": 60, "b": 40}, {"a": 60, "b": 30}))
    assert verdict.valid is False
    assert verdict.message == "1 of 2 reads total other than 100"
    assert verdict.witnesses == ({"ops": [2, 3], "sum": 90, "balances": {"a": 60, "b": 30}},)
    assert verdict.counts == counts(2, wrong_total=1)


def test_a_negative_balance_is_witnessed_with_the_accounts():
    verdict = judge(BANK, reads({"a": 110, "b": -10, "c": 0}))
    assert verdict.message == "1 of 1 read with a negative balance"
    assert verdict.witnesses == (
        {"ops": [0, 1], "sum": 100, "balances": {"a": 110, "b": -10, "c": 0}, "negative": ["b"]},
    )
    assert verdict.counts == counts(1, negative=1)


def test_both_problems_are_counted_and_witnessed_earliest_first():
    verdict = judge(BANK, reads({"a": 100}, {"a": -5}, {"a": 101}, {"a": 150, "b": -50}))
    assert verdict.message == "2 of 4 reads total other than 100, 2 with a negative balance"
    assert [w["ops"][0] for w in verdict.witnesses] == [2, 4, 6]
    assert verdict.counts == counts(4, wrong_total=2, negative=2)


def test_negative_balances_may_be_allowed():
    verdict = judge(bank("bank", total=100, negative=True), reads({"a": 110, "b": -10}))
    assert verdict == Verdict("bank", True, "1 read, each totalling 100", counts=counts(1))


def test_float_balances_may_be_given_a_tolerance():
    cents = reads({"a": 33.33, "b": 33.33, "c": 33.34})
    assert judge(bank("bank", total=100, tolerance=1e-9), cents).valid is True
    assert judge(bank("bank", total=100, tolerance=0.01), reads({"a": 99.995})).valid is True
    assert judge(bank("bank", total=100, tolerance=0.001), reads({"a": 99.995})).valid is False


def test_big_integer_balances_are_summed_exactly():
    big = 10**20
    assert judge(bank("bank", total=big + 1), reads({"a": big, "b": 1})).valid is True


def test_a_nan_balance_is_a_wrong_total():
    assert judge(BANK, reads({"a": 100, "b": math.nan})).counts["wrong_total"] == 1


def test_reads_that_fail_or_time_out_and_other_functions_are_not_judged():
    h = history(
        ("invoke", 0, "read", None),
        ("fail", 0, "read", None),
        ("invoke", 0, "read", None),
        ("info", 0, "read", {"a": 5}),
        ("invoke", 1, "transfer", {"from": "a", "to": "b", "amount": 5}),
        ("ok", 1, "transfer", {"a": 5}),
    )
    assert judge(BANK, h) == Verdict("bank", True, "no reads to check", counts=counts(0))
    assert judge(BANK, History([])).counts == counts(0)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([60, 40], "ok read at op 1 returned a list, not an object of balances"),
        (None, "ok read at op 1 returned null, not an object of balances"),
        ({"a": 60, "b": "40"}, "ok read at op 1: balance of 'b' is a string, not a number"),
        ({"a": True}, "ok read at op 1: balance of 'a' is a boolean, not a number"),
    ],
)
def test_a_read_that_is_no_object_of_numbers_is_unknown_naming_the_op(value, message):
    assert judge(BANK, reads(value)) == Verdict("bank", "unknown", f"ValueError: {message}")


def test_witnesses_are_capped_but_counts_and_message_say_all():
    many = MAX_WITNESSES + 5
    verdict = judge(BANK, reads(*[{"a": i} for i in range(many)]))
    assert verdict.message == f"{many} of {many} reads total other than 100"
    assert len(verdict.witnesses) == MAX_WITNESSES
