"""`stormproof lin` from the command line: verdicts, output formats, exit codes, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from stormproof.cli.main import cli
from stormproof.history import HistoryWriter
from tests.history.build import history as history_of
from tests.history.build import ops
from tests.history.lin.slow import crowded_appends

ETCD = Path(__file__).resolve().parents[1] / "data" / "porcupine" / "etcd"
GOOD = ETCD / "etcd_002.log"  # linearizable
BAD = ETCD / "etcd_000.log"  # not


def lin(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["lin", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_a_linearizable_history_exits_0() -> None:
    code, out, err = lin(GOOD, "--model", "cas-register")
    assert code == 0, err
    assert out.startswith(f"{GOOD}: linearizable (cas-register, ")


def test_a_violation_exits_1_and_explains_itself() -> None:
    code, out, _ = lin(BAD, "--model", "cas-register")
    assert code == 1
    assert f"{BAD}: NOT linearizable" in out
    assert "everything before line 86 is linearizable" in out
    assert "line 85    process 11   read 2  (ok at line 86)" in out
    assert "the state could only be 0, 1, 3 or 4" in out
    assert "one linearization of the prefix (the last 8 of " in out


def test_json_is_a_list_with_one_object_per_file() -> None:
    code, out, _ = lin(GOOD, BAD, "-m", "cas-register", "--format", "json")
    assert code == 1
    reports = json.loads(out)
    assert [r["file"] for r in reports] == [str(GOOD), str(BAD)]
    good, bad = reports
    assert good["linearizable"] is True and good["witness"] is None
    assert bad["linearizable"] is False
    assert {"file", "linearizable", "ops", "seconds", "witness"} <= bad.keys()
    assert bad["ops"] == 85
    assert bad["witness"]["op"]["line"] == 85


def test_any_violation_wins_over_unknown(tmp_path: Path) -> None:
    slow = _jsonl(tmp_path / "slow.jsonl", crowded_appends(6, 20))
    code, out, _ = lin(slow, BAD, "-m", "kv", "--timeout", "0.2", "--history-format", "auto")
    # etcd_000 is a cas-register history: read as kv, its ops are bad input (unknown), and
    # the slow file runs out of time (unknown); no violation, so 2.
    assert code == 2
    code, out, _ = lin(slow, "-m", "kv", "--timeout", "0.2")
    assert code == 2
    assert "unknown (kv, " in out and "time budget of 0.2 s ran out" in out


def test_a_violation_and_an_unknown_exit_1(tmp_path: Path) -> None:
    slow = _jsonl(tmp_path / "slow.jsonl", crowded_appends(6, 20))
    broken = _jsonl(
        tmp_path / "broken.jsonl",
        ops(("invoke", 0, "get", None), ("ok", 0, "get", "x")),
    )
    code, _, _ = lin(slow, broken, "-m", "kv", "--timeout", "0.2")
    assert code == 1


def test_a_malformed_file_is_one_line_exit_2_and_the_others_are_still_checked(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"process": 0, "type": "invoke", "f": "read", "value": null, "time": 0}\n{')
    code, out, err = lin(bad, GOOD, "-m", "cas-register")
    assert code == 2
    [line] = err.strip().splitlines()
    assert line.startswith(f"stormproof lin: {bad}:2: not JSON: ")
    assert "Traceback" not in err
    assert f"{GOOD}: linearizable" in out


def test_an_op_the_model_cannot_take_is_one_line_exit_2() -> None:
    code, out, err = lin(GOOD, "-m", "register")
    assert code == 2
    assert err.strip() == (
        f"stormproof lin: {GOOD}: line 4: the register model has no function 'cas' "
        "(it has read, write)"
    )
    assert out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.log", "-m", "register"], "Path 'missing.log' does not exist"),
        ([str(GOOD)], "Missing option '--model'"),
        ([str(GOOD), "-m", "queue"], "'queue' is not one of 'register', 'cas-register'"),
        ([str(GOOD), "-m", "register", "--timeout", "0"], "--timeout"),
        ([str(GOOD), "-m", "register", "--history-format", "csv"], "--history-format"),
        ([], "Missing argument 'FILES...'"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    code, _, err = lin(*args)
    assert code == 2
    assert message in err


def test_a_chaos_run_directory_stands_for_its_history(tmp_path: Path) -> None:
    _jsonl(
        tmp_path / "history.jsonl", history_of(("invoke", 0, "read", None), ("ok", 0, "read", None))
    )
    code, out, _ = lin(tmp_path, "-m", "register")
    assert code == 0
    assert out.startswith(f"{tmp_path / 'history.jsonl'}: linearizable")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = lin(empty, "-m", "register")
    assert code == 2
    assert "holds no history.jsonl" in err


def test_the_format_can_be_named(tmp_path: Path) -> None:
    copy = tmp_path / "history.txt"  # no telling suffix, and a first line that is not an op
    copy.write_text("INFO  jepsen.core - starting\n" + GOOD.read_text())
    code, out, _ = lin(copy, "-m", "cas-register", "--history-format", "jepsen-log")
    assert code == 0, out


def _jsonl(path: Path, history: object) -> Path:
    with HistoryWriter(path) as writer:
        for op in history:  # type: ignore[attr-defined]
            writer.write(op)
    return path


def test_the_readme_example_is_what_lin_prints() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## `stormproof lin`", 1)[1]
    example = section.split("```\n", 2)[1].split("```", 1)[0]
    _, out, _ = lin(BAD, "--model", "cas-register")
    out = out.replace(str(BAD), "tests/data/porcupine/etcd/etcd_000.log")
    printed = [re.sub(r"\d+\.\d ms", "", line) for line in out.splitlines()]
    for line in example.splitlines():
        if line.strip() not in ("", "..."):
            assert re.sub(r"\d+\.\d ms", "", line) in printed, line


INDEPENDENT = Path(__file__).resolve().parents[1] / "data" / "jepsen-independent"


@pytest.mark.parametrize("suffix", ["log", "edn"])
def test_an_independent_history_is_checked_key_by_key(suffix: str) -> None:
    ok = INDEPENDENT / f"cas-register-ok.{suffix}"
    code, out, err = lin(ok, "-m", "cas-register", "--independent")
    assert code == 0, err
    assert out.startswith(f"{ok}: linearizable (cas-register, 19 ops, 4 keys, ")
    assert "hint" not in out


def test_an_independent_violation_names_its_key_and_line() -> None:
    bad = INDEPENDENT / "cas-register-bad.log"
    code, out, _ = lin(bad, "-m", "cas-register", "--independent")
    assert code == 1
    assert f"{bad}: NOT linearizable (cas-register, 19 ops, 4 keys, " in out
    assert "everything before line 34 is linearizable on key 1, " in out
    assert "line 33    process 3    read 1  (ok at line 34)" in out
    code, out, _ = lin(bad, "-m", "cas-register", "--independent", "--format", "json")
    assert code == 1
    [report] = json.loads(out)
    assert report["witness"]["key"] == 1
    assert report["witness"]["op"]["line"] == 33
    assert report["keys"] == 4


def test_a_history_of_pairs_without_independent_gets_a_hint() -> None:
    ok = INDEPENDENT / "cas-register-ok.log"
    code, out, _ = lin(ok, "-m", "cas-register")
    assert code == 1  # every key as one register: a violation that is not there
    assert out.splitlines()[-1] == (
        "  hint: every value here is a [key value] pair: if this is a jepsen.independent "
        "history, check it with --independent"
    )
    _, out, _ = lin(ok, "-m", "cas-register", "--format", "json")
    assert "with --independent" in json.loads(out)[0]["hint"]
    code, out, err = lin(ok, "-m", "register")  # the cas ops: bad input, and the hint
    assert code == 2
    assert err.splitlines()[1].startswith("stormproof lin: hint: every value here is a [key")


def test_independent_with_a_value_that_is_not_a_pair_is_one_line_exit_2(tmp_path: Path) -> None:
    lines = (INDEPENDENT / "cas-register-ok.log").read_text().splitlines(keepends=True)
    assert lines[4].endswith("0\t:ok\t:write\t[0 3]\n")
    lines[4] = lines[4].replace("[0 3]", "3")
    broken = tmp_path / "jepsen.log"
    broken.write_text("".join(lines))
    code, out, err = lin(broken, "-m", "cas-register", "--independent")
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        f"stormproof lin: {broken}:5: process 0 ok 'write': value 3 is not a [key value] pair, "
        "as jepsen.independent writes"
    ]
    # A history that is not independent at all: its first op is named.
    code, _, err = lin(GOOD, "-m", "cas-register", "--independent")
    assert code == 2
    assert f"{GOOD}:1: process 4 invoke 'read': value None is not a [key value] pair" in err


def test_independent_on_a_history_with_keys_is_exit_2() -> None:
    keyed = Path(__file__).resolve().parents[1] / "data" / "kv" / "kv-ok-small.edn"
    code, _, err = lin(keyed, "-m", "kv", "--independent")
    assert code == 2
    assert err.strip() == (
        f"stormproof lin: {keyed}:1: process 0 invoke 'append' already has key '0'; "
        "an independent history's key is in its value"
    )


def test_independent_needs_a_model_checked_per_key() -> None:
    ok = INDEPENDENT / "cas-register-ok.log"
    code, out, err = lin(ok, "-m", "set", "--independent")
    assert code == 2
    assert out == ""
    assert (
        "Invalid value for '--independent': the set model is not checked per key "
        "(those that are: register, cas-register, kv)"
    ) in err
