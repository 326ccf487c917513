"""Op: the DESIGN line shape both ways, and one-line reasons for every bad field."""

import pytest

from stormproof.history import Op


def test_to_dict_is_the_design_shape_without_index_or_empty_error():
    op = Op(3, "invoke", "book", {"trip": "t-17"}, time=1234567, index=5)
    assert op.to_dict() == {
        "process": 3,
        "type": "invoke",
        "f": "book",
        "value": {"trip": "t-17"},
        "time": 1234567,
    }
    assert list(op.to_dict()) == ["process", "type", "f", "value", "time"]


@pytest.mark.parametrize(
    "op",
    [
        Op(3, "invoke", "book", {"trip": "t-17"}, time=0),
        Op(3, "ok", "book", {"trip": "t-17", "booking": "b-9"}, time=5),
        Op(0, "fail", "pay", None, time=7, error="HTTP 409: conflict"),
        Op(1, "info", "read", [1, 2.5, "x", True, None], time=9, error="ReadTimeout: 5s"),
        Op(2, "invoke", "append", "x 0 0 y", time=11, key="0"),
        Op(2, "info", "append", "x", time=12, error="timed-out", key=17),
    ],
)
def test_round_trip_through_a_dict(op):
    assert Op.from_dict(op.to_dict()) == op
    assert Op.from_dict(op.to_dict(), index=4).index == 4


def test_error_is_written_only_when_there_is_one():
    op = Op(0, "fail", "pay", None, time=7, error="HTTP 409")
    assert op.to_dict()["error"] == "HTTP 409"


def test_key_is_written_only_when_there_is_one_and_comes_last():
    assert "key" not in Op(0, "ok", "read", 1, time=1).to_dict()
    op = Op(0, "ok", "read", 1, time=1, index=3, error="slow", key=0)
    assert list(op.to_dict().items())[-2:] == [("error", "slow"), ("key", 0)]
    assert Op.from_dict(op.to_dict()).key == 0
    assert Op(0, "ok", "read", 1, 1, 3, "slow", 0) == op  # key is the last positional field


def test_unknown_keys_are_ignored_so_newer_writers_stay_readable():
    data = {"process": 1, "type": "ok", "f": "w", "value": 1, "time": 2, "node": "n1"}
    assert Op.from_dict(data) == Op(1, "ok", "w", 1, time=2)


GOOD = {"process": 1, "type": "ok", "f": "write", "value": None, "time": 2}


def test_a_null_key_is_no_key():
    assert Op.from_dict({**GOOD, "key": None}).key is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"process": "1"}, "'process' must be an integer, not '1'"),
        ({"process": True}, "'process' must be an integer, not True"),
        ({"process": 1.0}, "'process' must be an integer, not 1.0"),
        ({"type": "done"}, "unknown type 'done' (expected invoke, ok, fail, info)"),
        ({"type": None}, "unknown type None (expected invoke, ok, fail, info)"),
        ({"f": 7}, "'f' must be a string, not 7"),
        ({"time": -1}, "'time' must be an integer >= 0 (nanoseconds), not -1"),
        ({"time": 1.5}, "'time' must be an integer >= 0 (nanoseconds), not 1.5"),
        ({"error": 404}, "'error' must be a string or null, not 404"),
        ({"key": True}, "'key' must be a string, an integer or null, not True"),
        ({"key": 1.5}, "'key' must be a string, an integer or null, not 1.5"),
        ({"key": [1, 2]}, "'key' must be a string, an integer or null, not [1, 2]"),
        ({"key": {"k": 1}}, "'key' must be a string, an integer or null, not {'k': 1}"),
    ],
)
def test_from_dict_names_the_bad_field_in_one_line(change, message):
    with pytest.raises(ValueError) as caught:
        Op.from_dict({**GOOD, **change})
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        (["time"], "missing field 'time'"),
        (["f", "value"], "missing fields 'f', 'value'"),
    ],
)
def test_from_dict_names_missing_fields(missing, message):
    data = {k: v for k, v in GOOD.items() if k not in missing}
    with pytest.raises(ValueError, match=f"^{message}$"):
        Op.from_dict(data)


def test_from_dict_rejects_a_non_mapping():
    with pytest.raises(ValueError, match=r"^an op must be an object, not list$"):
        Op.from_dict([1, 2])  # type: ignore[arg-type]


def test_long_bad_values_are_cut_short_in_the_message():
    with pytest.raises(ValueError) as caught:
        Op.from_dict({**GOOD, "f": ["x" * 1000] * 100})
    assert len(str(caught.value)) < 120
