"""Jepsen's text log and EDN histories: real files, nemesis ops left out, bad lines named."""

from pathlib import Path

import pytest

from stormproof.history import (
    History,
    HistoryError,
    Op,
    read_edn_history,
    read_jepsen_log,
)

PORCUPINE = Path(__file__).parents[1] / "data" / "porcupine" / "etcd"
LOGS = sorted(PORCUPINE.glob("etcd_*.log"))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_porcupine_data_is_all_there():
    assert len(LOGS) == 50
    listed = (PORCUPINE / "expected.tsv").read_text().split("\n")[1:]
    assert sorted(row.split("\t")[0] for row in listed if row) == [p.name for p in LOGS]


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.stem)
def test_every_porcupine_log_reads_op_for_op(path):
    history = read_jepsen_log(path)
    op_lines = [line for line in path.read_text().splitlines() if "jepsen.util" in line]
    assert len(history) == len(op_lines) > 0
    assert [op.time for op in history] == list(range(len(history)))
    assert {op.f for op in history} <= {"read", "write", "cas"}


def test_a_spot_check_of_etcd_000():
    history = read_jepsen_log(PORCUPINE / "etcd_000.log")
    assert history[0] == Op(0, "invoke", "read", None, time=0, index=0)
    assert history[2] == Op(2, "invoke", "write", 4, time=2, index=2)
    assert history[12] == Op(0, "ok", "read", 3, time=12, index=12)
    cas = history[18]
    assert (cas.process, cas.type, cas.f, cas.value) == (2, "invoke", "cas", [3, 0])
    assert history.completion(cas).value == [3, 0]
    timed_out = history[60]  # line 61: "4	:info	:write	:timed-out"
    assert (timed_out.type, timed_out.f, timed_out.value) == ("info", "write", "timed-out")
    assert history.invocation(timed_out) == Op(4, "invoke", "write", 1, time=53, index=53)


def test_cas_lists_are_not_shared_between_ops():
    history = read_jepsen_log(PORCUPINE / "etcd_000.log")
    assert history[18].value == history[19].value
    assert history[18].value is not history[19].value


LOG = """\
2017-03-13 10:09:20,001{GMT}	INFO	[main] jepsen.core: Running test etcd
INFO  jepsen.util - 0	:invoke	:read	nil
INFO  jepsen.util - :nemesis	:info	:start	nil
INFO  jepsen.util - 0	:fail	:read	:timed-out
2017-03-13 10:09:21,540{GMT}	INFO	[jepsen worker 1] jepsen.util: 1	:invoke	:write	3
INFO  jepsen.util - :nemesis	:info	:start	[:isolated {"n1" #{"n2"}}]
INFO  jepsen.util - 1    :ok    :write    3
INFO  jepsen.util - 2	:invoke	:cas	[3 0]
INFO  jepsen.util - 2	:info	:cas	[3 0]	indeterminate: Read timed out
INFO  jepsen.util - 3	:invoke	:read
WARN  jepsen.core - some other logger, ignored

INFO  jepsen.util - 3	:ok	:read	{:x "a b", :y [1 2]}
"""


def test_a_log_with_prefixes_nemesis_and_other_loggers(tmp_path):
    history = read_jepsen_log(write(tmp_path, "jepsen.log", LOG))
    assert [(op.process, op.type, op.f, op.value, op.error) for op in history] == [
        (0, "invoke", "read", None, None),
        (0, "fail", "read", "timed-out", None),
        (1, "invoke", "write", 3, None),
        (1, "ok", "write", 3, None),
        (2, "invoke", "cas", [3, 0], None),
        (2, "info", "cas", [3, 0], "indeterminate: Read timed out"),
        (3, "invoke", "read", None, None),
        (3, "ok", "read", {"x": "a b", "y": [1, 2]}, None),
    ]
    assert [op.time for op in history] == list(range(8))


# Jepsen's older logback layout, which Maelstrom still prints: no " -" or ":" after the logger.
OLD_LAYOUT = """\
INFO [2018-06-07 13:14:11,984] jepsen test runner - jepsen.core Relative time begins now
INFO [2018-06-07 13:14:12,057] jepsen worker 0 - jepsen.util 0\t:invoke\t:write\t[0 4]
INFO [2018-06-07 13:14:12,060] jepsen nemesis - jepsen.util :nemesis\t:info\t:start\tnil
INFO [2018-06-07 13:14:12,062] jepsen worker 0 - jepsen.util 0\t:ok\t:write\t[0 4]
INFO [2018-06-07 13:14:12,581] jepsen worker 1 - jepsen.util 1\t:invoke\t:cas\t[0 [4 0]]
INFO [2018-06-07 13:14:17,584] jepsen worker 1 - jepsen.util 1\t:info\t:cas\t[0 [4 0]]\t:net-timeout
"""


def test_the_older_logback_layout_reads_too(tmp_path):
    history = read_jepsen_log(write(tmp_path, "jepsen.log", OLD_LAYOUT))
    assert [(op.process, op.type, op.f, op.value, op.error) for op in history] == [
        (0, "invoke", "write", [0, 4], None),
        (0, "ok", "write", [0, 4], None),
        (1, "invoke", "cas", [0, [4, 0]], None),
        (1, "info", "cas", [0, [4, 0]], ":net-timeout"),
    ]
    assert history.lines == (2, 4, 5, 6)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("INFO  jepsen.util - starting the workload", "a jepsen.util line that is not 'P :type"),
        ("INFO  jepsen.util - 1\tinvoke\t:read\tnil", "a jepsen.util line that is not"),
        ("INFO  jepsen.util - 1\t:done\t:read\tnil", "unknown type 'done' (expected invoke, ok,"),
        ("INFO  jepsen.util - 1\t:invoke\t:write\t[1 2", "bad value '[1 2': '[' has no closing"),
        ("INFO  jepsen.util - 1\t:invoke\t:write\t1 2", "bad value '1 2': more than one form"),
        ("INFO  jepsen.util - 5\t:ok\t:read\tnil", "process 5 completes 'read' (ok) with no"),
        ("INFO  jepsen.util - 0\t:invoke\t:read\tnil", "process 0 invokes 'read' while its invoke"),
    ],
)
def test_a_bad_log_line_is_named_by_line(tmp_path, bad, message):
    good = "INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.core - noise\n\n"
    path = write(tmp_path, "jepsen.log", good + bad + "\n")  # the bad line is line 4
    with pytest.raises(HistoryError) as caught:
        read_jepsen_log(path)
    assert str(caught.value).startswith(f"{path}:4: {message}")
    assert (caught.value.path, caught.value.line) == (path, 4)


def test_an_op_completed_twice_is_named_by_the_second_completion(tmp_path):
    ops = [
        "0\t:invoke\t:write\t1",
        "1\t:invoke\t:read\tnil",
        "0\t:ok\t:write\t1",
        "0\t:ok\t:write\t1",
    ]
    path = write(tmp_path, "j.log", "".join(f"INFO  jepsen.util - {op}\n" for op in ops))
    with pytest.raises(HistoryError) as caught:
        read_jepsen_log(path)
    assert (
        str(caught.value)
        == f"{path}:4: process 0 completes 'write' (ok) with no invoke outstanding"
    )


def test_a_log_that_is_not_utf8_or_missing_is_one_line(tmp_path):
    path = tmp_path / "jepsen.log"
    path.write_bytes(b"INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO \xff\n")
    with pytest.raises(HistoryError, match=r"jepsen\.log:2: not UTF-8 text \(byte 6\)$"):
        read_jepsen_log(path)
    with pytest.raises(HistoryError, match=r"nope\.log: cannot read: No such file"):
        read_jepsen_log(tmp_path / "nope.log")


def test_a_log_without_op_lines_is_an_empty_history(tmp_path):
    assert read_jepsen_log(write(tmp_path, "j.log", "INFO jepsen.core - hi\n")) == History([])


# EDN: Porcupine's kv test data and Jepsen's history.edn, one op map per line.
KV = """\
{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}
{:process 1, :type :invoke, :f :get, :key 1, :value nil}
{:process :nemesis, :type :info, :f :start, :value nil}
{:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}
{:process 1, :type :ok, :f :get, :key 1, :value "x 0 0 y", :node "n1"}
"""


def test_edn_op_maps_one_per_line_with_keys(tmp_path):
    history = read_edn_history(write(tmp_path, "history.edn", KV))
    assert list(history) == [
        Op(0, "invoke", "append", "x 0 0 y", time=0, index=0, key="0"),
        Op(1, "invoke", "get", None, time=1, index=1, key=1),
        Op(0, "ok", "append", "x 0 0 y", time=2, index=2, key="0"),
        Op(1, "ok", "get", "x 0 0 y", time=3, index=3, key=1),
    ]


def test_edn_times_errors_and_tagged_ops(tmp_path):
    text = (
        "#jepsen.history.Op{:index 0 :time 1500 :type :invoke :process 3 :f :read :value nil}\n"
        "{:time 2600, :type :fail, :process 3, :f :read, :value nil, :error :timed-out}\n"
        "{:time 2700, :type :invoke, :process 4, :f :write, :value 1}\n"
        '{:time 3000, :type :info, :process 4, :f :write, :value 1, :error [:crash "boom"]}\n'
    )
    history = read_edn_history(write(tmp_path, "history.edn", text))
    assert [op.time for op in history] == [1500, 2600, 2700, 3000]
    assert history[1].error == "timed-out"
    assert history[3].error == "['crash', 'boom']"
    assert history[0].error is None


def test_edn_one_vector_of_ops_names_lines_inside_it(tmp_path):
    text = "[{:process 0 :type :invoke :f :read :value nil}\n {:process 0 :type :ok :f :read}\n"
    path = write(tmp_path, "h.edn", text + " {:process 0 :type :ok :f :read :value 1}]\n")
    with pytest.raises(HistoryError) as caught:
        read_edn_history(path)
    assert str(caught.value) == (
        f"{path}:3: process 0 completes 'read' (ok) with no invoke outstanding"
    )
    path.write_text(text + "]")
    history = read_edn_history(path)
    assert [(op.type, op.value) for op in history] == [("invoke", None), ("ok", None)]


def test_the_porcupine_logs_read_the_same_as_edn(tmp_path):
    """Each etcd log, rewritten as EDN op maps, reads back as the same history."""
    for log in LOGS[:5]:
        fields = (line.split(" - ")[1].split("\t") for line in log.read_text().splitlines())
        text = "".join("{{:process {}, :type {}, :f {}, :value {}}}\n".format(*f) for f in fields)
        assert read_edn_history(write(tmp_path, log.stem + ".edn", text)) == read_jepsen_log(log)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{:process 1 :type :invoke :f :read", "not EDN: '{' has no closing bracket (column 1)"),
        ("  {:process 1 :f}", "not EDN: a map needs an even number of forms, not 3 (column 3)"),
        ("[:process 1]", "expected an op map, found a vector"),
        (":invoke", "expected an op map, found a string or keyword"),
        ("nil", "expected an op map, found nil"),
        ("12", "expected an op map, found a number"),
        ("{:process 1, :f :read, :value nil}", "missing field 'type'"),
        ("{:process 1, :type :done, :f :read}", "unknown type 'done'"),
        ("{:process 1, :type :invoke, :f 7}", "'f' must be a string, not 7"),
        ("{:process 1, :type :invoke, :f :r, :time -5}", "'time' must be an integer >= 0"),
        ("{:process 1, :type :invoke, :f :r, :key true}", "'key' must be a string, an integer"),
        ("{:process 1, :type :invoke, :f :r, :key [1 2]}", "'key' must be a string, an integer"),
        ("{:process nil, :type :invoke, :f :r}", "'process' must be an integer, not None"),
        ("{:process 0, :type :invoke, :f :read}", "process 0 invokes 'read' while its invoke"),
    ],
)
def test_a_bad_edn_op_is_named_by_line(tmp_path, bad, message):
    good = "{:process 0, :type :invoke, :f :read, :value nil}\n; a comment\n"
    path = write(tmp_path, "history.edn", good + bad + "\n")  # the bad op is on line 3
    with pytest.raises(HistoryError) as caught:
        read_edn_history(path)
    assert str(caught.value).startswith(f"{path}:3: {message}")
    assert "\n" not in str(caught.value)


def test_an_edn_file_that_is_not_utf8_is_named_by_line(tmp_path):
    path = tmp_path / "history.edn"
    path.write_bytes(b'{:process 0, :type :invoke, :f :read}\n{:f "\xc3"}\n')
    with pytest.raises(HistoryError, match=r"history\.edn:2: not UTF-8 text \(byte 6\)$"):
        read_edn_history(path)
