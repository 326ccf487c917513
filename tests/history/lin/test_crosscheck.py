"""The linearizability checker against a brute-force oracle, on drawn and on hand-made
histories. Both are written from the same contract (the models' rules); neither reads the
other's code, so agreement on thousands of small histories is evidence for both."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from stormproof.history import History, Op
from stormproof.history.lin import MODEL_NAMES, check_linearizable
from tests.history.lin.brute import brute_linearizable
from tests.history.lin.strategies import histories

EXAMPLES = 300


def shown(h: History) -> str:
    """A history one op a line, for hypothesis to print with a failing example."""
    return "\n".join(
        f"{op.index}: p{op.process} {op.type} {op.f} {op.value!r} key={op.key!r}" for op in h
    )


def oracle(h: History, model: str) -> bool:
    """The brute force, checked against itself: key by key and all keys at once agree."""
    verdict = brute_linearizable(h, model)
    assert brute_linearizable(h, model, partition=False) == verdict
    return verdict


@pytest.mark.parametrize("model", MODEL_NAMES)
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(data=st.data())
def test_checker_agrees_with_brute_force(model: str, data: st.DataObject) -> None:
    h = data.draw(histories(model), label="history")
    note(shown(h))
    assert check_linearizable(h, model).valid == oracle(h, model)


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_drawn_histories_have_both_verdicts(model: str) -> None:
    # Otherwise the cross-check could pass by having nothing to disagree about.
    verdicts: Counter[bool] = Counter()

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(histories(model))
    def sample(h: History) -> None:
        verdicts[brute_linearizable(h, model)] += 1

    sample()
    assert min(verdicts[True], verdicts[False]) >= 30, verdicts  # each at least a fifth


# model, history, linearizable? One rule of the contract each. A history is "; "-separated
# events "PROCESS TYPE F [VALUE] [@KEY]", VALUE in JSON (no spaces); a read's invoke has none.
CASES: dict[str, tuple[str, str, bool]] = {
    "stale read after a completed write": (
        "register",
        "0 invoke write 1; 0 ok write 1; 1 invoke read; 1 ok read null",
        False,
    ),
    "a read concurrent with a write sees either value": (
        "register",
        "0 invoke write 1; 1 invoke read; 1 ok read null; 1 invoke read; 1 ok read 1; 0 ok write 1",
        True,
    ),
    "reads may not go back": (
        "register",
        "0 invoke write 1; 1 invoke read; 1 ok read 1; 1 invoke read; 1 ok read null; 0 ok write 1",
        False,
    ),
    "a failed write is excluded": (
        "register",
        "0 invoke write 1; 0 fail write 1; 0 invoke read; 0 ok read 1",
        False,
    ),
    "a failed write leaves the initial value": (
        "register",
        "0 invoke write 1; 0 fail write 1; 0 invoke read; 0 ok read null",
        True,
    ),
    "an info write may never happen": (
        "register",
        "0 invoke write 1; 0 info write 1; 1 invoke read; 1 ok read null",
        True,
    ),
    "an info write may happen after its info": (
        "register",
        "0 invoke write 1; 0 info write 1; 1 invoke read; 1 ok read null; 1 invoke read; "
        "1 ok read 1",
        True,
    ),
    "an info write happens at most once": (
        "register",
        "0 invoke write 1; 0 info write 1; 2 invoke write 2; 2 ok write 2; 1 invoke read; "
        "1 ok read 1; 1 invoke read; 1 ok read 2; 1 invoke read; 1 ok read 1",
        False,
    ),
    "an info write does not happen before its invoke": (
        "register",
        "1 invoke read; 1 ok read 1; 0 invoke write 1; 0 info write 1",
        False,
    ),
    "an info read is dropped": ("register", "0 invoke read; 0 info read 7", True),
    "a never-completed read is dropped": ("register", "0 invoke read", True),
    "a never-completed write may happen": (
        "register",
        "0 invoke write 1; 1 invoke read; 1 ok read 1",
        True,
    ),
    "a never-completed write cannot be undone": (
        "register",
        "0 invoke write 1; 1 invoke read; 1 ok read 1; 1 invoke read; 1 ok read null",
        False,
    ),
    "keyed registers are checked one by one": (
        "register",
        "0 invoke write 1 @x; 0 ok write 1 @x; 0 invoke read @y; 0 ok read null @y; "
        "0 invoke read @x; 0 ok read 1 @x",
        True,
    ),
    "a keyed register does not see another key's write": (
        "register",
        "0 invoke write 1 @x; 0 ok write 1 @x; 0 invoke read @y; 0 ok read 1 @y",
        False,
    ),
    "ops without a key are one more register": (
        "register",
        "0 invoke write 1 @x; 0 ok write 1 @x; 0 invoke read; 0 ok read null",
        True,
    ),
    "an ok cas needs its expected value": (
        "cas-register",
        "0 invoke write 1; 0 ok write 1; 0 invoke cas [2,0]; 0 ok cas [2,0]",
        False,
    ),
    "an ok cas sets its new value": (
        "cas-register",
        "0 invoke write 1; 0 ok write 1; 0 invoke cas [1,2]; 0 ok cas [1,2]; 0 invoke read; "
        "0 ok read 2",
        True,
    ),
    "a failed cas means its compare failed": (
        "cas-register",
        "0 invoke write 1; 0 ok write 1; 0 invoke cas [1,2]; 0 fail cas [1,2]",
        False,
    ),
    "a failed cas changes nothing": (
        "cas-register",
        "0 invoke write 1; 0 ok write 1; 0 invoke cas [0,2]; 0 fail cas [0,2]; 0 invoke read; "
        "0 ok read 1",
        True,
    ),
    "a cas may expect the absent register": (
        "cas-register",
        "0 invoke cas [null,1]; 0 fail cas [null,1]",
        False,
    ),
    "a failed read is excluded in cas-register": (
        "cas-register",
        "0 invoke read; 0 fail read 5",
        True,
    ),
    "an info cas may happen": (
        "cas-register",
        "0 invoke write 1; 0 ok write 1; 1 invoke cas [1,2]; 1 info cas [1,2]; 0 invoke read; "
        "0 ok read 2",
        True,
    ),
    "an info cas whose compare fails changes nothing": (
        "cas-register",
        "0 invoke write 1; 0 ok write 1; 1 invoke cas [0,2]; 1 info cas [0,2]; 0 invoke read; "
        "0 ok read 2",
        False,
    ),
    "kv: an absent key reads as the empty string or nil": (
        "kv",
        '0 invoke get @x; 0 ok get "" @x; 0 invoke get @y; 0 ok get null @y',
        True,
    ),
    "kv: an absent key has no value": ("kv", '0 invoke get @x; 0 ok get "a" @x', False),
    "kv: appends in order": (
        "kv",
        '0 invoke append "a" @x; 0 ok append "a" @x; 0 invoke append "b" @x; '
        '0 ok append "b" @x; 0 invoke get @x; 0 ok get "ab" @x',
        True,
    ),
    "kv: appends out of order": (
        "kv",
        '0 invoke append "a" @x; 0 ok append "a" @x; 0 invoke append "b" @x; '
        '0 ok append "b" @x; 0 invoke get @x; 0 ok get "ba" @x',
        False,
    ),
    "kv: concurrent appends in either order": (
        "kv",
        '0 invoke append "a" @x; 1 invoke append "b" @x; 0 ok append "a" @x; '
        '1 ok append "b" @x; 0 invoke get @x; 0 ok get "ba" @x',
        True,
    ),
    "kv: put replaces, append extends": (
        "kv",
        '0 invoke append "a" @x; 0 ok append "a" @x; 0 invoke put "b" @x; 0 ok put "b" @x; '
        '0 invoke append "a" @x; 0 ok append "a" @x; 0 invoke get @x; 0 ok get "ba" @x',
        True,
    ),
    "kv: a failed append is not seen": (
        "kv",
        '0 invoke append "a" @x; 0 fail append "a" @x; 0 invoke get @x; 0 ok get "a" @x',
        False,
    ),
    "kv: an info get is dropped": ("kv", '0 invoke get @x; 0 info get "zz" @x', True),
    "kv: keys are separate": (
        "kv",
        '0 invoke put "a" @x; 0 ok put "a" @x; 0 invoke get @y; 0 ok get "a" @y',
        False,
    ),
    "set: a read ignores order and repeats": (
        "set",
        "0 invoke add 1; 0 ok add 1; 0 invoke add 2; 0 ok add 2; 0 invoke read; 0 ok read [2,1,2]",
        True,
    ),
    "set: a read sees every completed add": (
        "set",
        "0 invoke add 1; 0 ok add 1; 0 invoke add 2; 0 ok add 2; 0 invoke read; 0 ok read [2]",
        False,
    ),
    "set: an info add, once seen, stays": (
        "set",
        "0 invoke add 1; 0 info add 1; 1 invoke read; 1 ok read []; 1 invoke read; "
        "1 ok read [1]; 1 invoke read; 1 ok read []",
        False,
    ),
    "set: info and never-completed reads are dropped": (
        "set",
        "0 invoke add 1; 0 ok add 1; 0 invoke read; 0 info read; 1 invoke read",
        True,
    ),
    "counter: negative adds": (
        "counter",
        "0 invoke add 2; 0 ok add 2; 0 invoke add -3; 0 ok add -3; 0 invoke read; 0 ok read -1",
        True,
    ),
    "counter: a read after both adds sees both": (
        "counter",
        "0 invoke add 2; 0 ok add 2; 0 invoke add -3; 0 ok add -3; 0 invoke read; 0 ok read 2",
        False,
    ),
    "counter: a read during an add sees it or not": (
        "counter",
        "0 invoke add 2; 1 invoke read; 1 ok read 0; 1 invoke read; 1 ok read 2; 0 ok add 2",
        True,
    ),
    "counter: a failed add is excluded, an info add may never happen": (
        "counter",
        "0 invoke add 1; 0 fail add 1; 1 invoke add 5; 1 info add 5; 0 invoke read; 0 ok read 0",
        True,
    ),
    "counter: info and never-completed reads are dropped": (
        "counter",
        "0 invoke add 1; 0 ok add 1; 0 invoke read; 0 info read; 1 invoke read",
        True,
    ),
}


def parse(events: str) -> History:
    """A history from CASES' notation; times 0, 10, 20..."""
    ops = []
    for i, event in enumerate(events.split("; ")):
        process, type_, f, *rest = event.split()
        key = rest.pop()[1:] if rest and rest[-1].startswith("@") else None
        value = json.loads(rest[0]) if rest else None
        ops.append(Op(int(process), type_, f, value, 10 * i, key=key))  # type: ignore[arg-type]
    return History(ops)


@pytest.mark.parametrize(("model", "events", "expected"), CASES.values(), ids=CASES.keys())
def test_hand_made_history(model: str, events: str, expected: bool) -> None:
    h = parse(events)
    assert oracle(h, model) is expected
    result = check_linearizable(h, model)
    assert result.valid is expected
    assert (result.witness is None) is expected


def test_lists_and_tuples_are_the_same_value() -> None:
    h = History(
        [
            Op(0, "invoke", "write", [1, 2], 0),
            Op(0, "ok", "write", [1, 2], 10),
            Op(0, "invoke", "cas", ((1, 2), [3]), 20),
            Op(0, "ok", "cas", ((1, 2), [3]), 30),
            Op(0, "invoke", "read", None, 40),
            Op(0, "ok", "read", (3,), 50),
        ]
    )
    assert oracle(h, "cas-register") is True
    assert check_linearizable(h, "cas-register").valid is True


@pytest.mark.parametrize(
    ("model", "events", "message"),
    [
        ("register", "0 invoke cas [0,1]", r"^op 0: the register model has no function 'cas'"),
        ("kv", '0 invoke get; 0 ok get ""; 0 invoke read; 0 ok read ""', r"^op 2: .*kv.*'read'"),
        (
            "counter",
            "0 invoke add 1; 0 fail add 1; 0 invoke increment 1; 0 ok increment 1",
            r"^op 2: .*counter.*'increment'",
        ),
    ],
)
def test_a_function_the_model_lacks_is_bad_input(model: str, events: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_linearizable(parse(events), model)
    with pytest.raises(ValueError, match=message):
        brute_linearizable(parse(events), model)
