"""Our kv histories in Jepsen's EDN (tests/data/kv, written by make_kv_data.py): the checker
gives each file the verdict expected.tsv records, and on every key small enough for the brute
force, the brute force's verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from stormproof.history import History, read_history
from stormproof.history.lin import check_linearizable
from tests.history.lin.brute import brute_linearizable
from tests.history.lin.make_kv_data import OUT as DATA
from tests.history.lin.make_kv_data import main as make_kv_data

BRUTE_MAX_OPS = 8
EXPECTED = {
    name: verdict == "true"
    for name, verdict in (
        line.split("\t") for line in (DATA / "expected.tsv").read_text().splitlines()
    )
}


def by_key(h: History) -> dict[str | int | None, History]:
    """The history of each key on its own (still a valid history: a process's ops on one key
    are a subsequence of its ops)."""
    keys = dict.fromkeys(op.key for op in h)
    return {key: History(op for op in h if op.key == key) for key in keys}


def invokes(h: History) -> int:
    return sum(op.type == "invoke" for op in h)


def test_the_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    make_kv_data(tmp_path)
    written = {path.name: path.read_text() for path in tmp_path.iterdir()}
    assert written == {name: (DATA / name).read_text() for name in written}
    assert sorted(path.name for path in DATA.glob("*.edn")) == sorted(EXPECTED)


def test_both_verdicts_are_there() -> None:
    assert sorted(set(EXPECTED.values())) == [False, True]
    assert len(EXPECTED) >= 8


@pytest.mark.parametrize(("name", "linearizable"), EXPECTED.items())
def test_file_verdict(name: str, linearizable: bool) -> None:
    h = read_history(DATA / name)
    assert 20 <= len(h) <= 300
    result = check_linearizable(h, "kv")
    assert result.valid is linearizable
    assert (result.witness is None) is linearizable


@pytest.mark.parametrize(("name", "linearizable"), EXPECTED.items())
def test_small_keys_agree_with_brute_force(name: str, linearizable: bool) -> None:
    small = {
        key: part
        for key, part in by_key(read_history(DATA / name)).items()
        if invokes(part) <= BRUTE_MAX_OPS
    }
    verdicts = {key: brute_linearizable(part, "kv") for key, part in small.items()}
    for key, part in small.items():
        assert check_linearizable(part, "kv").valid is verdicts[key], key
    if not linearizable:
        # The anomaly is played on key "0", kept small so that the brute force confirms it.
        assert verdicts.get("0") is False
