"""The EDN reader: every form Jepsen's histories use, and a line:column for every error."""

import math
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stormproof.history import EdnError, parse_edn
from stormproof.history.edn import iter_edn


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("nil", None),
        ("true", True),
        ("false", False),
        ("42", 42),
        ("-7", -7),
        ("+3", 3),
        ("42N", 42),
        ("12345678901234567890", 12345678901234567890),
        ("1.5", 1.5),
        ("-2.", -2.0),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
        ("1.5M", 1.5),
        ("7M", 7.0),
        ("##Inf", math.inf),
        ("##-Inf", -math.inf),
        ('""', ""),
        ('"plain"', "plain"),
        (r'"q\" b\\ n\n t\t r\r \u00e9\u0041"', 'q" b\\ n\n t\t r\r éA'),
        ('"two\nlines"', "two\nlines"),
        ('"héllo ☃"', "héllo ☃"),
        (":invoke", "invoke"),
        (":timed-out", "timed-out"),
        (":jepsen.history/op", "jepsen.history/op"),
        ("symbol", "symbol"),
        ("clojure.core/+", "clojure.core/+"),
        ("-", "-"),
        ("->x", "->x"),
        ("a#b", "a#b"),
        (":nil", "nil"),
        ("nil?", "nil?"),
        (r"\a", "a"),
        (r"\newline", "\n"),
        (r"\space", " "),
        (r"\tab", "\t"),
        (r"\return", "\r"),
        (r"\u0041", "A"),
        (r"\(", "("),
        (r"\\", "\\"),
        ("[]", []),
        ("[1 2 [3 [4]]]", [1, 2, [3, [4]]]),
        ("(1 :a)", [1, "a"]),
        ("#{3 1 2}", [3, 1, 2]),
        ("{}", {}),
        (
            '{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}',
            {"process": 0, "type": "invoke", "f": "append", "key": "0", "value": "x 0 0 y"},
        ),
        ("{:a {:b [1 2]}}", {"a": {"b": [1, 2]}}),
        ("{[1 2] :x, [1 [2]] :y}", {(1, 2): "x", (1, (2,)): "y"}),
        ("{1 :int nil :nil}", {1: "int", None: "nil"}),
        ('#inst "2017-03-13T10:09:21.540-00:00"', "2017-03-13T10:09:21.540-00:00"),
        ('#uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"', "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"),
        ("#jepsen.history.Op{:index 0 :type :ok}", {"index": 0, "type": "ok"}),
        ("#my/tag #other [1]", [1]),
        ("[1 #_ 2 3]", [1, 3]),
        ("[#_ #_ 1 2 3]", [3]),
        ("#_ [ignored] 5", 5),
        ('[1 #_ #inst "x" 2]', [1, 2]),
        ("  ,,\n; a comment\n[1,2 ; another\n 3]  ", [1, 2, 3]),
        ("[\\a\\b]", ["a", "b"]),
    ],
)
def test_each_form_maps_to_plain_python(text, value):
    assert parse_edn(text) == value


def test_nan_is_a_float():
    assert math.isnan(parse_edn("##NaN"))


def test_big_decimals_and_ints_have_python_types():
    assert type(parse_edn("1N")) is int
    assert type(parse_edn("1M")) is float


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('"abc', 1, 1, "unterminated string"),
        ('[1\n  "abc\ndef', 2, 3, "unterminated string"),
        ("[1 2", 1, 1, "'[' has no closing bracket"),
        ("{:a [1\n 2}", 2, 3, "'}' does not close '[' (at 1:5)"),
        ("(1 2]", 1, 5, "']' does not close '(' (at 1:1)"),
        ("#{1 2", 1, 1, "'#{' has no closing bracket"),
        ("]", 1, 1, "unmatched ']'"),
        ("1\n  )", 2, 3, "unmatched ')'"),
        ("{:a 1 :b}", 1, 1, "a map needs an even number of forms, not 3"),
        ('#"regex"', 1, 1, "unknown dispatch '#\"'"),
        ("[#:ns{:a 1}]", 1, 2, "unknown dispatch '#:'"),
        ("#", 1, 1, "'#' at the end of the text"),
        ("1.2.3", 1, 1, "bad number '1.2.3'"),
        ("[1 12abc]", 1, 4, "bad number '12abc'"),
        ("1/2", 1, 1, "bad number '1/2'"),
        ("#inst", 1, 1, "'#inst' has no form after it"),
        ("[#_]", 1, 2, "'#_' has no form after it"),
        ("[1 #foo]", 1, 4, "'#foo' has no form after it"),
        (r'"a \q b"', 1, 4, r"unknown escape '\\q' in a string"),
        ("\\", 1, 1, "a backslash at the end of the text"),
        (r"\nope", 1, 1, r"unknown character \nope"),
        (r"\u00zz", 1, 1, r"unknown character \u00zz"),
        ("", 1, 1, "no form in the text"),
        ("  ; only a comment\n", 2, 1, "no form in the text"),
        ("1 2", 1, 3, "more than one form (expected exactly one)"),
        ("{:a 1}\n{:b 2}", 2, 1, "more than one form (expected exactly one)"),
    ],
)
def test_each_error_names_line_and_column(text, line, column, message):
    with pytest.raises(EdnError) as caught:
        parse_edn(text)
    error = caught.value
    assert (error.line, error.column, error.message) == (line, column, message)
    assert str(error) == f"{line}:{column}: {message}"
    assert isinstance(error, ValueError)


def test_edn_error_survives_pickling():
    error = pickle.loads(pickle.dumps(EdnError(3, 4, "bad")))
    assert (error.line, error.column, str(error)) == (3, 4, "3:4: bad")


def test_iter_edn_yields_each_form_with_its_start_line():
    text = '{:a 1}\n\n; note\n{:b\n 2} #_ {:c 3}\n  [\n]\n#inst\n"x"'
    assert list(iter_edn(text)) == [(1, {"a": 1}), (4, {"b": 2}), (6, []), (8, "x")]


def test_iter_edn_of_nothing_is_empty():
    assert list(iter_edn(" \n ; nothing\n")) == []


def test_iter_edn_raises_where_the_text_goes_bad_after_good_forms():
    forms = iter_edn("1\n2\n{:a}")
    assert next(forms) == (1, 1)
    assert next(forms) == (2, 2)
    with pytest.raises(EdnError, match=r"^3:1: a map needs"):
        next(forms)


def test_unwrap_yields_the_elements_of_one_vector_with_their_lines():
    text = "[{:a 1}\n {:a 2} #_ {:a 9}\n\n {:a\n  3}]\n"
    assert list(iter_edn(text, unwrap=True)) == [(1, {"a": 1}), (2, {"a": 2}), (4, {"a": 3})]
    assert list(iter_edn(text)) == [(1, [{"a": 1}, {"a": 2}, {"a": 3}])]
    assert list(iter_edn("; header\n(1\n2)", unwrap=True)) == [(2, 1), (3, 2)]


def test_unwrap_leaves_a_text_that_does_not_open_with_a_vector_alone():
    assert list(iter_edn("{:a 1}\n[2]", unwrap=True)) == [(1, {"a": 1}), (2, [2])]
    assert list(iter_edn("#{1}", unwrap=True)) == [(1, [1])]


def test_unwrap_rejects_forms_after_the_vector_and_checks_its_closer():
    with pytest.raises(EdnError, match=r"^2:2: a form after the collection that holds every"):
        list(iter_edn("[1]\n {:a 1}", unwrap=True))
    with pytest.raises(EdnError, match=r"^1:4: '\)' does not close '\['"):
        list(iter_edn("[1 )", unwrap=True))
    with pytest.raises(EdnError, match=r"^1:1: '\[' has no closing bracket"):
        list(iter_edn("[1 2", unwrap=True))


def test_deep_nesting_does_not_hit_the_recursion_limit():
    depth = 50_000
    value = parse_edn("[" * depth + "]" * depth)
    for _ in range(depth - 1):
        value = value[0]
    assert value == []


# Round trip: any nested value, written as EDN by a minimal printer, reads back equal.
ATOMS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
VALUES = st.recursive(
    ATOMS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


def to_edn(value):
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return '"' + escaped + '"'
    if isinstance(value, list):
        return "[" + " ".join(map(to_edn, value)) + "]"
    return "{" + ", ".join(f"{to_edn(k)} {to_edn(v)}" for k, v in value.items()) + "}"


@settings(max_examples=200, deadline=None)
@given(value=VALUES)
def test_any_value_printed_as_edn_reads_back_equal(value):
    assert parse_edn(to_edn(value)) == value
