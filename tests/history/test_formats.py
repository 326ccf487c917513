"""Telling a history's format by name or content, and reading any format through one call."""

from pathlib import Path

import pytest

from stormproof.history import (
    FORMATS,
    History,
    HistoryError,
    Op,
    detect_format,
    read_history,
)

PORCUPINE = Path(__file__).parents[1] / "data" / "porcupine" / "etcd"

JSONL = '{"process": 0, "type": "invoke", "f": "read", "value": null, "time": 5}\n'
EDN = "{:process 0, :type :invoke, :f :read, :value nil}\n"
LOG = "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
# The same one op, however it was written (EDN and the log have no times: position 0).
ONE_READ = {
    "jsonl": History([Op(0, "invoke", "read", None, time=5)]),
    "edn": History([Op(0, "invoke", "read", None, time=0)]),
    "jepsen-log": History([Op(0, "invoke", "read", None, time=0)]),
}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_formats():
    assert FORMATS == ("jsonl", "jepsen-log", "edn")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("history.jsonl", "jsonl"),
        ("history.json", "jsonl"),
        ("history.edn", "edn"),
        ("HISTORY.EDN", "edn"),
    ],
)
def test_the_suffix_decides_whatever_the_content(tmp_path, name, expected):
    assert detect_format(write(tmp_path, name, "anything at all\n")) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (JSONL, "jsonl"),
        ('\n  { "process": 0}\n', "jsonl"),
        (EDN, "edn"),
        ("{ :process 0}", "edn"),
        ("[{:process 0}\n {:process 1}]", "edn"),
        ("[\n", "cannot tell"),
        ("[ {:process 0}]", "edn"),
        ("#jepsen.history.Op{:process 0}", "edn"),
        (LOG, "jepsen-log"),
        ("2017-03-13 10:09:21,540{GMT}\tINFO\t[w 0] jepsen.util: 0\t:ok\t:read\t3\n", "jepsen-log"),
        ("INFO jepsen.core - Running\n" * 20 + LOG, "jepsen-log"),
        ("hello\n" + LOG, "jepsen-log"),
        ("hello world\n", "cannot tell"),
        ("\n\nnot a history\n{:process 0}\n", "cannot tell"),
    ],
)
def test_without_a_suffix_the_content_decides(tmp_path, text, expected):
    path = write(tmp_path, "history.txt", text)
    if expected != "cannot tell":
        assert detect_format(path) == expected
        return
    with pytest.raises(HistoryError) as caught:
        detect_format(path)
    first = next(n for n, line in enumerate(text.split("\n"), 1) if line.strip())
    assert caught.value.line == first
    assert str(caught.value) == (
        f"{path}:{first}: cannot tell the format of this history from its name or first line "
        "(name it with --history-format: jsonl, jepsen-log, edn)"
    )


def test_a_log_line_past_the_sniffing_window_is_not_looked_for(tmp_path):
    path = write(tmp_path, "late.log", "noise\n" * 1000 + LOG)
    with pytest.raises(HistoryError, match=r"late\.log:1: cannot tell the format"):
        detect_format(path)
    assert len(read_history(path, "jepsen-log")) == 1


def test_an_empty_file_is_an_empty_history_in_any_format(tmp_path):
    path = write(tmp_path, "empty.txt", "\n  \n")
    assert detect_format(path) == "jsonl"
    assert read_history(path) == History([])


def test_a_file_that_cannot_be_read_is_one_line(tmp_path):
    with pytest.raises(HistoryError) as caught:
        detect_format(tmp_path / "nope.txt")
    assert str(caught.value) == f"{tmp_path / 'nope.txt'}: cannot read: No such file or directory"
    with pytest.raises(HistoryError, match=r"cannot read: Is a directory$"):
        read_history(tmp_path)


@pytest.mark.parametrize(
    ("text", "fmt"), [(JSONL, "jsonl"), (EDN, "edn"), (LOG, "jepsen-log")], ids=["j", "e", "l"]
)
def test_read_history_detects_or_is_told_the_format(tmp_path, text, fmt):
    path = write(tmp_path, "history.txt", text)
    assert read_history(path) == ONE_READ[fmt]
    assert read_history(path, fmt) == ONE_READ[fmt]
    assert read_history(path, "auto") == ONE_READ[fmt]


def test_a_named_format_overrides_the_suffix(tmp_path):
    path = write(tmp_path, "history.jsonl", LOG)
    assert read_history(path, "jepsen-log") == ONE_READ["jepsen-log"]
    with pytest.raises(HistoryError, match=r"history\.jsonl:1: not JSON"):
        read_history(path)


def test_an_unknown_format_is_a_value_error_naming_the_valid_ones(tmp_path):
    path = write(tmp_path, "history.jsonl", JSONL)
    with pytest.raises(ValueError) as caught:
        read_history(path, "csv")  # type: ignore[arg-type]
    assert (
        str(caught.value) == "unknown history format 'csv' (expected auto, jsonl, jepsen-log, edn)"
    )


def test_every_porcupine_log_is_detected_and_read():
    logs = sorted(PORCUPINE.glob("*.log"))
    assert len(logs) == 50
    for log in logs:
        assert detect_format(log) == "jepsen-log"
        assert len(read_history(log)) > 0


def test_a_path_may_be_a_string(tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_text('{"process": 0, "type": "invoke", "f": "read", "value": null, "time": 0}\n')
    assert len(read_history(str(path))) == 1
