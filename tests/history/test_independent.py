"""jepsen.independent histories: every value a [key value] pair, split into keyed ops when
(and only when) asked, each key then checked on its own."""

import dataclasses
from pathlib import Path

import pytest

from stormproof.history import History, HistoryError, Op, check_linearizable, read_history

DATA = Path(__file__).parents[1] / "data" / "jepsen-independent"
FILES = [f"cas-register-{name}.{suffix}" for name in ("ok", "bad") for suffix in ("log", "edn")]
# Where the stale read on key 1 is: (invoked on line, ok on line), per bad file.
STALE_READ = {"cas-register-bad.log": (33, 34), "cas-register-bad.edn": (31, 32)}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def shape(history):
    """What the log and the EDN have in common: not the times, nor where each op is."""
    return [(op.process, op.type, op.f, op.key, op.value) for op in history]


def test_the_data_is_what_its_readme_says():
    for suffix, line in [("log", 34), ("edn", 32)]:
        ok = (DATA / f"cas-register-ok.{suffix}").read_text().splitlines()
        bad = (DATA / f"cas-register-bad.{suffix}").read_text().splitlines()
        assert len(ok) == len(bad)
        assert [n for n, (a, b) in enumerate(zip(ok, bad, strict=True), 1) if a != b] == [line]
    for name in ("ok", "bad"):
        log = read_history(DATA / f"cas-register-{name}.log", independent=True)
        edn = read_history(DATA / f"cas-register-{name}.edn", independent=True)
        assert shape(log) == shape(edn)
        assert log.counts() == {"invoke": 20, "ok": 17, "fail": 2, "info": 1}


def test_each_pair_becomes_the_ops_key_and_value():
    history = read_history(DATA / "cas-register-ok.log", independent=True)
    first = Op(0, "invoke", "write", 3, time=0, index=0, key=0)
    assert history[0] == first
    assert history.lines[0] == 3  # two jepsen.core lines come first
    cas = history[1]
    assert (cas.process, cas.f, cas.key, cas.value) == (2, "cas", 1, [0, 2])
    read = history[4]
    assert (read.type, read.f, read.key, read.value) == ("invoke", "read", 0, None)
    assert history.completion(read).value == 3
    crashed = next(op for op in history if op.type == "info")
    assert (crashed.key, crashed.value, crashed.error) == (0, [3, 1], ":timeout")
    assert {op.key for op in history} == {0, 1, 2, 3}
    assert all(isinstance(op.process, int) for op in history)  # the nemesis is left out


def test_without_being_asked_the_pairs_stay_values():
    history = read_history(DATA / "cas-register-ok.log")
    assert history[0].key is None
    assert history[0].value == [0, 3]
    assert history[1].value == [1, [0, 2]]


@pytest.mark.parametrize("name", FILES)
def test_each_key_is_checked_on_its_own(name):
    history = read_history(DATA / name, independent=True)
    result = check_linearizable(history, "cas-register")
    assert result.keys == 4
    if name not in STALE_READ:
        assert result.valid is True
        return
    assert result.valid is False
    assert result.witness["key"] == 1  # the integer key, as the file writes it
    invoked, completed = STALE_READ[name]
    op = result.witness["op"]
    assert (op["line"], op["completion_line"], op["f"], op["value"]) == (
        invoked,
        completed,
        "read",
        1,
    )


def test_as_one_register_the_linearizable_history_would_not_be():
    """Why the split matters: every key's ops in one register mix up their values."""
    history = read_history(DATA / "cas-register-ok.edn", independent=True)
    unkeyed = History((dataclasses.replace(op, key=None) for op in history), lines=history.lines)
    assert check_linearizable(unkeyed, "cas-register").valid is False
    assert check_linearizable(history, "cas-register").valid is True


def test_keys_keep_their_type(tmp_path):
    """5 and "5" are two keys (a keyword :k is the string "k", as everywhere in EDN)."""
    text = (
        "{:process 0, :type :invoke, :f :write, :value [5 1]}\n"
        "{:process 0, :type :ok, :f :write, :value [5 1]}\n"
        '{:process 1, :type :invoke, :f :write, :value ["5" 2]}\n'
        '{:process 1, :type :ok, :f :write, :value ["5" 2]}\n'
        "{:process 2, :type :invoke, :f :write, :value [:k 3]}\n"
        "{:process 2, :type :ok, :f :write, :value [:k 3]}\n"
        "{:process 0, :type :invoke, :f :read, :value [5 nil]}\n"
        "{:process 0, :type :ok, :f :read, :value [5 2]}\n"
    )
    history = read_history(write(tmp_path, "h.edn", text), independent=True)
    assert [op.key for op in history][::2] == [5, "5", "k", 5]
    result = check_linearizable(history, "register")
    assert result.valid is False  # key 5 holds 1: reading 2 is the other key's value
    assert result.witness["key"] == 5
    assert result.keys == 3


def test_any_format_can_be_independent(tmp_path):
    text = (
        '{"process": 0, "type": "invoke", "f": "write", "value": ["a", 1], "time": 0}\n'
        '{"process": 0, "type": "ok", "f": "write", "value": ["a", 1], "time": 5}\n'
    )
    history = read_history(write(tmp_path, "h.jsonl", text), independent=True)
    assert [(op.key, op.value) for op in history] == [("a", 1), ("a", 1)]


def test_an_invoke_that_never_completes_is_still_split(tmp_path):
    log = "INFO  jepsen.util - 0\t:invoke\t:read\t[7 nil]\n"
    history = read_history(write(tmp_path, "j.log", log), independent=True)
    assert list(history) == [Op(0, "invoke", "read", None, time=0, index=0, key=7)]


GOOD = "INFO  jepsen.util - 0\t:invoke\t:write\t[1 1]\n"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("5", "value 5 is not a [key value] pair, as jepsen.independent writes"),
        ("nil", "value None is not a [key value] pair"),
        ("[1 2 3]", "value [1, 2, 3] is not a [key value] pair"),
        ("[1]", "value [1] is not a [key value] pair"),
        ("{:key 1, :value 2}", "value {'key': 1, 'value': 2} is not a [key value] pair"),
        ("[nil 2]", "key None is not a string or an integer"),
        ("[1.5 2]", "key 1.5 is not a string or an integer"),
        ("[true 2]", "key True is not a string or an integer"),
        ("[[1 2] 3]", "key [1, 2] is not a string or an integer"),
    ],
)
def test_an_op_that_is_not_a_pair_is_named_by_line(tmp_path, value, message):
    bad = f"INFO  jepsen.util - 1\t:invoke\t:write\t{value}\n"
    path = write(tmp_path, "j.log", GOOD + "INFO  jepsen.core - noise\n" + bad)
    with pytest.raises(HistoryError) as caught:
        read_history(path, independent=True)
    assert str(caught.value).startswith(f"{path}:3: process 1 invoke 'write': {message}")
    assert "\n" not in str(caught.value)
    read_history(path)  # the same file is a fine history of list values


def test_a_completion_on_another_key_than_its_invoke_is_named(tmp_path):
    lines = ["1\t:invoke\t:read\t[1 nil]", "0\t:ok\t:write\t[1 1]", "1\t:ok\t:read\t[2 1]"]
    path = write(tmp_path, "j.log", GOOD + "".join(f"INFO  jepsen.util - {x}\n" for x in lines))
    with pytest.raises(HistoryError) as caught:
        read_history(path, independent=True)
    assert str(caught.value) == (
        f"{path}:4: process 1 ok 'read': key 2 is not its invoke's key 1 (line 2)"
    )


def test_a_history_whose_ops_have_keys_is_not_independent(tmp_path):
    text = '{:process 0, :type :invoke, :f :get, :key "0", :value ["0" nil]}\n'
    path = write(tmp_path, "h.edn", text)
    with pytest.raises(HistoryError) as caught:
        read_history(path, independent=True)
    assert str(caught.value) == (
        f"{path}:1: process 0 invoke 'get' already has key '0'; "
        "an independent history's key is in its value"
    )


def test_a_bad_history_is_still_named_before_its_pairs(tmp_path):
    """The rules of a history come first: the line named is the op that breaks them."""
    path = write(tmp_path, "j.log", GOOD + "INFO  jepsen.util - 5\t:ok\t:read\t7\n")
    with pytest.raises(HistoryError, match=r"j\.log:2: process 5 completes 'read' \(ok\)"):
        read_history(path, independent=True)
