"""History: Jepsen pairing, the rules a history must keep, and the queries on it."""

import pickle

import pytest

from stormproof.history import History, MalformedHistoryError, Op
from tests.history.build import history, ops

# Three processes: 0 books and is acknowledged, 1 pays and definitely fails, 2 reads and
# times out (info), 3 invokes and the run ends before it completes.
RUN = history(
    ("invoke", 0, "book", {"trip": "t-1"}),
    ("invoke", 1, "pay", {"trip": "t-2", "amount": 10}),
    ("invoke", 2, "read", None),
    ("ok", 0, "book", {"trip": "t-1", "booking": "b-9"}),
    ("fail", 1, "pay", {"trip": "t-2"}),
    ("invoke", 0, "book", {"trip": "t-3"}),
    ("info", 2, "read", None),
    ("ok", 0, "book", {"trip": "t-3", "booking": "b-10"}),
    ("invoke", 3, "pay", {"trip": "t-3", "amount": 5}),
)


def test_ops_are_indexed_in_order():
    assert [op.index for op in RUN] == list(range(9))
    assert RUN[3].type == "ok"
    assert len(RUN) == 9


def test_an_index_given_by_someone_else_is_replaced():
    h = History([Op(0, "invoke", "w", 1, time=0, index=7), Op(0, "ok", "w", 1, time=1, index=7)])
    assert [op.index for op in h] == [0, 1]


def test_pairs_match_each_invoke_with_the_next_completion_of_its_process():
    pairs = [(invoke.index, done.index if done else None) for invoke, done in RUN.pairs()]
    assert pairs == [(0, 3), (1, 4), (2, 6), (5, 7), (8, None)]


def test_completion_and_invocation_are_inverse():
    for invoke, done in RUN.pairs():
        assert RUN.completion(invoke) == done
        if done is not None:
            assert RUN.invocation(done) == invoke


def test_completion_wants_an_invoke_of_this_history():
    with pytest.raises(ValueError, match=r"^completion\(\) takes an invoke, not ok op 3$"):
        RUN.completion(RUN[3])
    with pytest.raises(ValueError, match=r"^invocation\(\) takes a completion, not invoke op 0$"):
        RUN.invocation(RUN[0])
    stranger = Op(0, "invoke", "book", {"trip": "t-99"}, time=0, index=0)
    with pytest.raises(ValueError, match=r"^op 0 \(invoke 'book'\) is not in this history$"):
        RUN.completion(stranger)


def test_completed_filters_by_outcome_and_function():
    assert [(i.index, c.index) for i, c in RUN.completed()] == [(0, 3), (5, 7)]
    assert [(i.index, c.index) for i, c in RUN.completed("fail")] == [(1, 4)]
    assert [(i.index, c.index) for i, c in RUN.completed("info", f="read")] == [(2, 6)]
    assert RUN.completed("ok", f="pay") == []


def test_completed_rejects_invoke():
    with pytest.raises(ValueError, match=r"^completed\(\) takes ok, fail or info, not 'invoke'$"):
        RUN.completed("invoke")  # type: ignore[arg-type]


def test_counts_name_every_type():
    assert RUN.counts() == {"invoke": 5, "ok": 2, "fail": 1, "info": 1}
    assert History([]).counts() == {"invoke": 0, "ok": 0, "fail": 0, "info": 0}


def test_mentioning_finds_strings_at_any_depth_and_substrings():
    h = history(
        ("invoke", 0, "book", {"trip": {"legs": [{"flight": "f-7", "seat": "12A"}]}}),
        ("ok", 0, "book", {"booking": "b-1"}),
        ("invoke", 1, "read", ["t-1", ["deeper", {"b-1": True}]]),
        ("ok", 1, "read", 7),
    )
    assert [op.index for op in h.mentioning("f-7")] == [0]
    assert [op.index for op in h.mentioning("b-1")] == [1, 2]  # a mapping's key counts
    assert [op.index for op in h.mentioning("12")] == [0]  # substring of a leaf
    assert h.mentioning("7") == [h[0]]  # the number 7 is not the string "7"
    assert h.mentioning("nowhere") == []


def test_mentioning_needs_a_needle():
    with pytest.raises(ValueError, match="non-empty"):
        RUN.mentioning("")


def test_histories_compare_by_their_ops_and_slices_are_plain_ops():
    assert history(("invoke", 0, "w", 1)) == history(("invoke", 0, "w", 1))
    assert history(("invoke", 0, "w", 1)) != history(("invoke", 0, "w", 2))
    assert RUN[3:5] == (RUN[3], RUN[4])
    assert "9 ops" in repr(RUN)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [("invoke", 0, "w", 1), ("ok", 1, "w", 1)],
            "op 1: process 1 completes 'w' (ok) with no invoke outstanding",
        ),
        (
            [("invoke", 0, "w", 1), ("ok", 0, "w", 1), ("fail", 0, "w", 1)],
            "op 2: process 0 completes 'w' (fail) with no invoke outstanding",
        ),
        (
            [("invoke", 0, "w", 1), ("invoke", 1, "r", None), ("invoke", 0, "r", None)],
            "op 2: process 0 invokes 'r' while its invoke at op 0 is outstanding",
        ),
        (
            [("invoke", 4, "w", 1), ("info", 4, "w", None), ("invoke", 4, "w", 2)],
            "op 2: process 4 invokes 'w' after its info at op 1 "
            "(a process with an indeterminate op is never reused)",
        ),
    ],
)
def test_malformed_histories_name_the_first_bad_op(rows, message):
    with pytest.raises(MalformedHistoryError) as caught:
        History(ops(*rows))
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)
    assert caught.value.index == int(message.split(":")[0].removeprefix("op "))


def test_a_process_may_invoke_again_after_ok_or_fail():
    h = history(
        ("invoke", 0, "w", 1), ("fail", 0, "w", 1), ("invoke", 0, "w", 2), ("ok", 0, "w", 2)
    )
    assert len(h.pairs()) == 2


def test_malformed_history_error_survives_pickling():
    error = pickle.loads(pickle.dumps(MalformedHistoryError(3, "bad")))
    assert (error.index, str(error)) == (3, "op 3: bad")
