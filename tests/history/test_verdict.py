"""Verdicts and check_invariants: a user's invariant that breaks is "unknown", not a crash."""

import copy
import json
import pickle

import pytest

from stormproof.history import (
    History,
    Verdict,
    check_invariants,
    conservation,
    saga_atomicity,
)

EMPTY = History([])


def test_to_dict_is_json_ready():
    verdict = Verdict("money", False, "lost", [{"id": "a"}], {"accounts": 2})
    assert verdict.witnesses == ({"id": "a"},)
    assert verdict.to_dict() == {
        "name": "money",
        "valid": False,
        "message": "lost",
        "counts": {"accounts": 2},
        "witnesses": [{"id": "a"}],
    }
    json.dumps(verdict.to_dict())


def test_counts_are_always_written():
    assert Verdict("x", "unknown", "m").to_dict()["counts"] == {}


def test_counts_are_a_read_only_copy():
    given = {"sagas": 3, "half_done": 1}
    verdict = Verdict("trips", False, "1 of 3 sagas half done", counts=given)
    given["sagas"] = 99
    assert verdict.counts == {"sagas": 3, "half_done": 1}
    with pytest.raises(TypeError):
        verdict.counts["sagas"] = 0  # type: ignore[index]
    # to_dict hands out a dict of its own: changing it changes nothing here.
    verdict.to_dict()["counts"]["sagas"] = 0
    assert verdict.counts["sagas"] == 3


def test_counts_take_part_in_equality_but_not_in_the_hash():
    a = Verdict("x", True, "m", counts={"n": 1})
    assert a == Verdict("x", True, "m", counts={"n": 1})
    assert a != Verdict("x", True, "m", counts={"n": 2})
    assert hash(a) == hash(Verdict("x", True, "m", counts={"n": 2}))


@pytest.mark.parametrize(
    ("counts", "wrong"),
    [
        ({"n": 1.5}, "'n': 1.5"),
        ({"n": True}, "'n': True"),
        ({"n": -1}, "'n': -1"),
        ({3: 1}, "3: 1"),
        ({"a": 1, "b": "2", "c": None}, "'b': '2', 'c': None"),
    ],
)
def test_counts_are_names_to_non_negative_integers(counts, wrong):
    with pytest.raises(
        ValueError, match=f"^counts must map names to non-negative integers, not {wrong}$"
    ):
        Verdict("x", True, "m", counts=counts)


def test_a_verdict_survives_pickling_and_copying():
    verdict = Verdict("x", False, "m", ({"id": "a", "ops": [1]},), {"n": 1})
    for twin in (pickle.loads(pickle.dumps(verdict)), copy.deepcopy(verdict)):
        assert twin == verdict
        assert twin.to_dict() == verdict.to_dict()


@pytest.mark.parametrize("valid", [1, 0, "yes", None])
def test_validity_is_true_false_or_unknown(valid):
    with pytest.raises(ValueError, match="valid must be true, false or 'unknown'"):
        Verdict("x", valid, "m")


def test_a_raising_callable_gives_unknown_with_its_reason():
    def parts(final):
        return {"a": final["x"]}

    verdicts = check_invariants(
        [conservation("money", parts, 100.0), saga_atomicity("trips", lambda final: {})],
        EMPTY,
        {"y": 1},
    )
    assert verdicts == [
        Verdict("money", "unknown", "KeyError: 'x'"),
        Verdict("trips", True, "no sagas to check", counts={"sagas": 0, "half_done": 0}),
    ]


class Exploding:
    name = "exploding"

    def __init__(self, exc):
        self.exc = exc

    def __call__(self, history, final):
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (RuntimeError("line one\n  line two"), "RuntimeError: line one line two"),
        (ZeroDivisionError(), "ZeroDivisionError"),
    ],
)
def test_unknown_messages_are_one_line(exc, message):
    [verdict] = check_invariants([Exploding(exc)], EMPTY, None)
    assert verdict == Verdict("exploding", "unknown", message)


def test_an_invariant_returning_no_verdict_is_unknown():
    class Sloppy:
        name = "sloppy"

        def __call__(self, history, final):
            return True

    [verdict] = check_invariants([Sloppy()], EMPTY, None)
    assert verdict == Verdict("sloppy", "unknown", "returned bool, not a Verdict")


def test_interrupts_are_not_swallowed():
    with pytest.raises(KeyboardInterrupt):
        check_invariants([Exploding(KeyboardInterrupt())], EMPTY, None)
