"""same_response: calls with the same idempotency key must be answered alike."""

import pytest

from stormproof.history import MAX_WITNESSES, History, Verdict
from stormproof.history.idempotency import same_response
from tests.history.build import history
from tests.history.checking import judge

BOOKINGS = same_response("bookings", f="book", key="request")


def booked(*calls, f="book"):
    """(request id, process, response) per call, invoked and acknowledged in turn."""
    rows = []
    for request, process, response in calls:
        rows += [
            ("invoke", process, f, {"request": request, "trip": "t"}),
            ("ok", process, f, response),
        ]
    return rows


def test_retries_answered_alike_hold():
    h = history(*booked(("r1", 0, {"booking": "b1"}), ("r1", 1, {"booking": "b1"}), ("r2", 0, 7)))
    assert judge(BOOKINGS, h) == Verdict(
        "bookings",
        True,
        "2 keys, 1 reused, each answered alike",
        counts={"keys": 2, "reused": 1, "conflicting": 0},
    )


def test_a_retry_answered_differently_is_witnessed_with_every_answer():
    h = history(
        *booked(
            ("r1", 0, {"booking": "b1"}),
            ("r2", 0, {"booking": "b2"}),
            ("r1", 1, {"booking": "b1"}),
            ("r1", 2, {"booking": "b3"}),
            ("r2", 1, {"booking": "b2"}),
        )
    )
    verdict = judge(BOOKINGS, h)
    assert verdict.valid is False
    assert verdict.message == "1 of 2 reused keys answered differently"
    assert verdict.witnesses == (
        {
            "id": "r1",
            "ops": [1, 5, 7],
            "responses": [{"booking": "b1"}, {"booking": "b1"}, {"booking": "b3"}],
        },
    )
    assert verdict.counts == {"keys": 2, "reused": 2, "conflicting": 1}


def test_witnesses_and_their_ops_come_in_answer_order():
    h = history(
        ("invoke", 0, "book", {"request": "late"}),
        ("invoke", 1, "book", {"request": "early"}),
        ("ok", 1, "book", 1),
        ("invoke", 1, "book", {"request": "late"}),
        ("ok", 1, "book", 2),
        ("ok", 0, "book", 3),
        ("invoke", 1, "book", {"request": "early"}),
        ("ok", 1, "book", 4),
    )
    verdict = judge(BOOKINGS, h)
    assert [(w["id"], w["ops"], w["responses"]) for w in verdict.witnesses] == [
        ("early", [2, 7], [1, 4]),
        ("late", [4, 5], [2, 3]),
    ]


def test_keys_may_be_objects_compared_by_content():
    h = history(
        ("invoke", 0, "book", {"request": {"user": 1, "n": 2}}),
        ("ok", 0, "book", "b1"),
        ("invoke", 0, "book", {"request": {"n": 2, "user": 1}}),
        ("ok", 0, "book", "b2"),
    )
    assert judge(BOOKINGS, h).witnesses[0]["id"] == {"user": 1, "n": 2}


def test_only_acknowledged_calls_of_the_function_count():
    h = history(
        ("invoke", 0, "book", {"request": "r1"}),
        ("fail", 0, "book", "b-other"),
        ("invoke", 0, "book", {"request": "r1"}),
        ("info", 0, "book", "b-other"),
        *booked(("r1", 1, "b1"), ("r1", 1, "b2"), f="cancel"),
        *booked(("r1", 1, "b1")),
    )
    assert judge(BOOKINGS, h).counts == {"keys": 1, "reused": 0, "conflicting": 0}


def test_no_calls_is_valid_and_says_so():
    assert judge(BOOKINGS, History([])) == Verdict(
        "bookings", True, "no keys to check", counts={"keys": 0, "reused": 0, "conflicting": 0}
    )


@pytest.mark.parametrize("value", [{"trip": "t"}, "r1", None])
def test_an_ok_whose_invoke_lacks_the_key_is_unknown_naming_both_ops(value):
    h = history(("invoke", 0, "book", value), ("ok", 0, "book", "b1"))
    assert judge(BOOKINGS, h) == Verdict(
        "bookings",
        "unknown",
        "ValueError: ok op 1 ('book') has no 'request' in its invoke's value (op 0)",
    )


def test_witnesses_are_capped_but_counts_and_message_say_all():
    many = MAX_WITNESSES + 5
    h = history(
        *booked(
            *[(f"r{i}", 0, i) for i in range(many)], *[(f"r{i}", 1, -i - 1) for i in range(many)]
        )
    )
    verdict = judge(BOOKINGS, h)
    assert verdict.message == f"{many} of {many} reused keys answered differently"
    assert verdict.counts["conflicting"] == many
    assert len(verdict.witnesses) == MAX_WITNESSES
