"""history.jsonl: streaming writes, and reads that name the file and line of any problem."""

import json
import pickle
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stormproof.history import History, HistoryError, HistoryWriter, Op, read_history, read_jsonl
from tests.history.build import history

SAMPLE = history(
    ("invoke", 3, "book", {"trip": "t-17"}),
    ("invoke", 1, "read", None),
    ("ok", 3, "book", {"trip": "t-17", "booking": "b-9"}),
    ("info", 1, "read", None),
)
KEYED = History(
    [
        Op(0, "invoke", "append", "x", time=0, key="k1"),
        Op(1, "invoke", "get", None, time=1, key=7),
        Op(0, "ok", "append", "x", time=2, key="k1"),
        Op(1, "fail", "get", None, time=3, error="timeout", key=7),
    ]
)


def write(path, ops):
    with HistoryWriter(path) as writer:
        for op in ops:
            writer.write(op)


def test_written_history_reads_back_equal(tmp_path):
    path = tmp_path / "history.jsonl"
    write(path, SAMPLE)
    assert read_jsonl(path) == SAMPLE
    first = path.read_text().splitlines()[0]
    assert (
        first
        == '{"process": 3, "type": "invoke", "f": "book", "value": {"trip": "t-17"}, "time": 0}'
    )


def test_keys_are_written_and_read_back(tmp_path):
    path = tmp_path / "history.jsonl"
    write(path, KEYED)
    assert read_jsonl(path) == KEYED
    assert json.loads(path.read_text().splitlines()[1])["key"] == 7


def test_read_history_reads_a_jsonl_file_as_jsonl(tmp_path):
    path = tmp_path / "history.jsonl"
    write(path, KEYED)
    assert read_history(path) == read_jsonl(path) == KEYED


def test_each_op_is_on_disk_as_soon_as_it_is_written(tmp_path):
    path = tmp_path / "history.jsonl"
    writer = HistoryWriter(path)
    writer.write(SAMPLE[0])
    assert json.loads(path.read_text()) == SAMPLE[0].to_dict()  # before close
    writer.close()
    with pytest.raises(ValueError, match="history writer is closed"):
        writer.write(SAMPLE[1])


def test_a_value_that_is_not_json_leaves_no_partial_line(tmp_path):
    path = tmp_path / "history.jsonl"
    with HistoryWriter(path) as writer:
        writer.write(SAMPLE[0])
        with pytest.raises(TypeError):
            writer.write(Op(0, "invoke", "w", {1, 2}, time=1))
    assert read_jsonl(path) == History([SAMPLE[0]])


def test_the_writer_truncates_an_old_file(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_text("old junk\n")
    write(path, SAMPLE)
    assert read_jsonl(path) == SAMPLE


def test_blank_lines_are_skipped_and_errors_keep_file_lines(tmp_path):
    path = tmp_path / "history.jsonl"
    lines = [json.dumps(op.to_dict()) for op in SAMPLE]
    path.write_text("\n" + lines[0] + "\n   \n" + "\n".join(lines[1:]) + "\n\n")
    assert read_jsonl(path) == SAMPLE


def test_windows_line_endings_read_the_same(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_bytes(b"".join(json.dumps(op.to_dict()).encode() + b"\r\n" for op in SAMPLE))
    assert read_jsonl(path) == SAMPLE


GOOD = '{"process": 0, "type": "invoke", "f": "w", "value": 1, "time": 0}'


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{"process": 0, "type": "ok",', "not JSON: Expecting property name enclosed in double"),
        ("[1, 2]", "expected a JSON object, found an array"),
        ('"ok"', "expected a JSON object, found a string"),
        ("null", "expected a JSON object, found null"),
        ("12", "expected a JSON object, found a number"),
        ('{"process": 0, "type": "ok", "f": "w", "value": 1}', "missing field 'time'"),
        ('{"process": 0, "type": "done", "f": "w", "value": 1, "time": 5}', "unknown type 'done'"),
        ('{"process": "p", "type": "ok", "f": "w", "value": 1, "time": 5}', "'process' must be"),
        ('{"process": 0, "type": "ok", "f": "w", "value": 1, "time": 5, "key": [1]}', "'key' must"),
        (
            '{"process": 1, "type": "ok", "f": "w", "value": 1, "time": 5}',
            "process 1 completes 'w' (ok) with no invoke outstanding",
        ),
        (GOOD, "process 0 invokes 'w' while its invoke at op 0 is outstanding"),
    ],
)
def test_a_bad_line_is_named_by_path_and_line(tmp_path, bad, message):
    path = tmp_path / "history.jsonl"
    path.write_text(GOOD + "\n\n" + bad + "\n")  # the bad line is line 3
    with pytest.raises(HistoryError) as caught:
        read_jsonl(path)
    assert str(caught.value).startswith(f"{path}:3: {message}")
    assert "\n" not in str(caught.value)
    assert (caught.value.path, caught.value.line) == (path, 3)


def test_bytes_that_are_not_utf8_are_named_by_line(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_bytes(GOOD.encode() + b'\n{"f": "\xff"}\n')
    with pytest.raises(HistoryError, match=r"history\.jsonl:2: not UTF-8 text \(byte 8\)$"):
        read_jsonl(path)


def test_a_missing_file_is_one_line(tmp_path):
    path = tmp_path / "nope.jsonl"
    with pytest.raises(HistoryError) as caught:
        read_jsonl(path)
    assert str(caught.value) == f"{path}: cannot read: No such file or directory"
    assert caught.value.line is None


def test_an_empty_file_is_an_empty_history(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_text("")
    assert read_jsonl(path) == History([])


def test_history_error_survives_pickling(tmp_path):
    error = pickle.loads(pickle.dumps(HistoryError(tmp_path / "h.jsonl", 4, "bad")))
    assert (error.line, str(error)) == (4, f"{tmp_path / 'h.jsonl'}:4: bad")


# Random valid histories: four workers invoke and complete in any interleaving; as in
# Jepsen, a worker whose op ends info goes on as a new process. Values are any JSON.
WORKERS = 4
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def valid_histories(draw):
    processes = list(range(WORKERS))  # worker -> its current process
    outstanding, ops, time = set(), [], 0
    for _ in range(draw(st.integers(0, 20))):
        worker = draw(st.integers(0, WORKERS - 1))
        process = processes[worker]
        time += draw(st.integers(0, 10**9))
        f = draw(st.text(string.ascii_lowercase, min_size=1, max_size=4))
        error = draw(st.none() | st.text(max_size=10))
        key = draw(st.none() | st.text(max_size=3) | st.integers())
        if process in outstanding:
            op_type = draw(st.sampled_from(["ok", "fail", "info"]))
            outstanding.discard(process)
            if op_type == "info":
                processes[worker] += WORKERS
        else:
            op_type, error = "invoke", None
            outstanding.add(process)
        ops.append(Op(process, op_type, f, draw(JSON), time, error=error, key=key))
    return History(ops)


@pytest.fixture(scope="module")
def roundtrip_path(tmp_path_factory):
    return tmp_path_factory.mktemp("roundtrip") / "history.jsonl"


@settings(max_examples=50, deadline=None)
@given(h=valid_histories())
def test_any_valid_history_survives_write_then_read(roundtrip_path, h):
    write(roundtrip_path, h)  # the writer truncates what the last example left
    back = read_jsonl(roundtrip_path)
    assert back == h
    assert back.pairs() == h.pairs()
