"""check_linearizable's contract beyond the verdict: the time budget, keys, counts, and bad
input."""

from __future__ import annotations

import time

import pytest

from stormproof.history import History, Op
from stormproof.history.lin import MODEL_NAMES, OpError, check_linearizable
from tests.history.build import history
from tests.history.lin.slow import crowded_appends


def test_a_spent_time_budget_is_unknown_with_the_reason() -> None:
    started = time.monotonic()
    result = check_linearizable(crowded_appends(6, 20), "kv", timeout=0.2)
    assert result.valid == "unknown"
    assert result.witness is None
    assert "time budget of 0.2 s ran out on key 'k'" in result.reason
    assert result.configurations > 0
    assert time.monotonic() - started < 10  # bounded, not a search to the end


def test_the_same_history_is_decided_given_small_enough_pieces() -> None:
    assert check_linearizable(crowded_appends(3, 10), "kv", timeout=60).valid is True


def test_a_violation_found_before_the_budget_runs_out_still_counts() -> None:
    """Keys are checked smallest first: a small broken key is reported as broken even
    though a huge key would have spent the budget."""
    crowded = list(crowded_appends(6, 20))
    broken = [
        Op(90, "invoke", "put", "a", 0, key="small"),
        Op(90, "ok", "put", "a", 0, key="small"),
        Op(91, "invoke", "get", None, 0, key="small"),
        Op(91, "ok", "get", "never written", 0, key="small"),
    ]
    result = check_linearizable(History([*crowded, *broken]), "kv", timeout=0.5)
    assert result.valid is False
    assert result.witness is not None and result.witness["key"] == "small"
    assert result.keys == 2


def test_keys_are_checked_apart() -> None:
    h = History(
        [
            Op(0, "invoke", "write", 1, 0, key="a"),
            Op(1, "invoke", "write", 2, 1, key="b"),
            Op(0, "ok", "write", 1, 2, key="a"),
            Op(1, "ok", "write", 2, 3, key="b"),
            Op(0, "invoke", "read", None, 4, key="a"),
            Op(0, "ok", "read", 1, 5, key="a"),
            Op(1, "invoke", "read", None, 6, key="b"),
            Op(1, "ok", "read", 1, 7, key="b"),  # b was never 1: only a was
        ]
    )
    result = check_linearizable(h, "register")
    assert result.valid is False
    assert result.keys == 2 and result.ops == 4
    assert result.witness is not None
    assert result.witness["key"] == "b"
    assert result.witness["op"]["index"] == 6
    assert result.witness["states"] == ["2"]


@pytest.mark.parametrize("model", ["counter", "set"])
def test_set_and_counter_refuse_keyed_ops_instead_of_merging_the_keys(model: str) -> None:
    """One counter (or set) per key checked as one object would report a read of b that
    misses a's add as a violation, or the reverse: the ops are refused, naming the first."""
    h = History(
        [
            Op(0, "invoke", "add", 1, 0),
            Op(0, "ok", "add", 1, 1),
            Op(1, "invoke", "add", 2, 2, key="b"),
            Op(1, "ok", "add", 2, 3, key="b"),
        ]
    )
    with pytest.raises(OpError, match=f"op has key 'b', but the {model} model is one object"):
        check_linearizable(h, model)
    unkeyed = History([Op(op.process, op.type, op.f, op.value, op.time) for op in h])
    assert check_linearizable(unkeyed, model).valid is True


def test_what_is_left_out_is_not_counted() -> None:
    h = history(
        ("invoke", 0, "write", 1),
        ("ok", 0, "write", 1),
        ("invoke", 1, "write", 2),
        ("fail", 1, "write", 2),  # did not happen
        ("invoke", 2, "read", None),
        ("info", 2, "read", None),  # constrains nothing
        ("invoke", 3, "read", None),
        ("ok", 3, "read", 1),
    )
    result = check_linearizable(h, "register")
    assert result.valid is True
    assert result.ops == 2


def test_an_empty_history_is_linearizable() -> None:
    for model in MODEL_NAMES:
        result = check_linearizable(History([]), model)
        assert result.valid is True and result.ops == 0


def test_an_unknown_model_is_a_one_line_error() -> None:
    with pytest.raises(ValueError, match=r"^unknown model 'queue' \(expected one of: register,"):
        check_linearizable(History([]), "queue")


@pytest.mark.parametrize(
    ("model", "row", "message"),
    [
        ("register", ("invoke", 0, "cas", [1, 2]), r"op 0: the register model has no function"),
        ("cas-register", ("invoke", 0, "cas", 5), r"op 0: cas takes \[expected, new\], not 5"),
        ("kv", ("invoke", 0, "put", 5), r"op 0: kv put takes a string, not 5"),
        ("counter", ("invoke", 0, "add", "one"), r"op 0: counter add takes an integer"),
    ],
)
def test_an_op_the_model_cannot_take_is_named(
    model: str, row: tuple[str, int, str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        check_linearizable(history(row, ("ok", 0, row[2], row[3])), model)


def test_a_set_read_that_is_not_a_collection_is_named() -> None:
    h = history(("invoke", 0, "read", None), ("ok", 0, "read", 3))
    with pytest.raises(ValueError, match=r"op 0: a set read returns a list, not 3"):
        check_linearizable(h, "set")


def test_the_result_is_json_ready() -> None:
    h = history(("invoke", 0, "read", None), ("ok", 0, "read", 3))
    data = check_linearizable(h, "register").to_dict()
    assert data["linearizable"] is False
    assert data["witness"]["op"] == {
        "index": 0,
        "process": 0,
        "f": "read",
        "value": 3,
        "type": "ok",
        "completion": 1,
    }
    assert data["witness"]["states"] == ["nothing"]
    assert data["witness"]["linearization"] == []


def test_a_witness_among_many_unknown_ops_is_built_without_trying_every_subset() -> None:
    """Forty writes of unknown outcome are pending when a read sees a value nobody wrote:
    2**40 subsets of them could have taken effect. The witness must still come quickly,
    and within the budget (which the check would otherwise report as incomplete)."""
    ops = [Op(p, "invoke", "write", p, 2 * p) for p in range(40)]
    ops += [Op(p, "info", "write", p, 2 * p + 1) for p in range(40)]
    ops += [Op(99, "invoke", "read", None, 200), Op(99, "ok", "read", "never", 201)]
    result = check_linearizable(History(ops), "register", timeout=5)
    assert result.valid is False
    assert result.witness is not None and result.witness["complete"] is True
    assert result.witness["op"]["index"] == 80
    assert len(result.witness["states"]) + result.witness["more_states"] == 41  # 0..39, nil
    assert len(result.witness["concurrent"]) == 40
