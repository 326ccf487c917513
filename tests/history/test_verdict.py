"""Verdicts and check_invariants: a user's invariant that breaks is "unknown", not a crash."""

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
    verdict = Verdict("money", False, "lost", [{"id": "a"}])
    assert verdict.witnesses == ({"id": "a"},)
    assert verdict.to_dict() == {
        "name": "money",
        "valid": False,
        "message": "lost",
        "witnesses": [{"id": "a"}],
    }


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
        Verdict("trips", True, "no sagas to check"),
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
