"""The 50 Jepsen etcd histories from Porcupine's test suite: every verdict it asserts, and
for each that is not linearizable, a witness that holds up on its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stormproof.history import History, read_history
from stormproof.history.lin import check_linearizable

ETCD = Path(__file__).resolve().parents[2] / "data" / "porcupine" / "etcd"
EXPECTED = {
    name: verdict == "true"
    for name, verdict in (
        row.split("\t")
        for row in (ETCD / "expected.tsv").read_text(encoding="utf-8").splitlines()[1:]
    )
}


def test_the_data_is_all_there() -> None:
    assert len(EXPECTED) == 50
    assert sorted(EXPECTED) == sorted(path.name for path in ETCD.glob("*.log"))
    # Both verdicts, so that a checker answering one of them always cannot pass.
    assert sum(EXPECTED.values()) == 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_matches_porcupine(name: str) -> None:
    result = check_linearizable(read_history(ETCD / name), "cas-register", timeout=60)
    assert result.valid is EXPECTED[name]
    assert (result.witness is None) is EXPECTED[name]


@pytest.mark.parametrize("name", sorted(n for n, ok in EXPECTED.items() if not ok))
def test_witness_is_a_real_linearization_of_the_prefix(name: str) -> None:
    history = read_history(ETCD / name)
    witness = check_linearizable(history, "cas-register").witness
    assert witness is not None
    order = witness["linearization"]
    prefix = witness["prefix"]
    _assert_legal(order)
    _assert_real_time(history, order)
    # Complete: every op that definitely happened before the prefix ends is in it.
    placed = {op["index"] for op in order}
    for invoke, done in history.pairs():
        if done is not None and done.index < prefix and _happened(invoke.f, done.type):
            assert invoke.index in placed, f"op {invoke.index} missing from the linearization"
    # The op that cannot be placed completes exactly where the prefix ends, and no state
    # the model could be in then allows it.
    failing = witness["op"]
    assert failing["completion"] == prefix
    assert failing["completion_line"] == witness["prefix_line"]
    assert witness["states"], "a witness names the states the op would have had to match"
    if failing["f"] == "read":
        assert str(failing["value"]) not in witness["states"]


def _happened(f: str, completion: str) -> bool:
    return completion == "ok" or (f == "cas" and completion == "fail")


def _assert_legal(order: list[dict[str, Any]]) -> None:
    """Replays the order on a register, independently of the checker's models."""
    state = None
    for op in order:
        f, value, ended = op["f"], op["value"], op["type"]
        if f == "read":
            assert value == state, f"op {op['index']} reads {value}, the register holds {state}"
        elif f == "write":
            state = value
        elif ended == "fail":
            assert state != value[0], f"op {op['index']}: the compare could not fail"
        elif ended == "ok":
            assert state == value[0], f"op {op['index']}: the compare could not succeed"
            state = value[1]
        elif state == value[0]:  # an info cas that took effect
            state = value[1]


def _assert_real_time(history: History, order: list[dict[str, Any]]) -> None:
    """No op comes after one that was invoked only after it had completed."""
    for i, earlier in enumerate(order):
        for later in order[i + 1 :]:
            done = later.get("completion")
            if later["type"] != "info" and done is not None:
                assert not done < earlier["index"], (
                    f"op {later['index']} completed before op {earlier['index']} was invoked"
                )
