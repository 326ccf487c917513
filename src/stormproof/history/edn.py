"""A small EDN reader (Clojure's data notation), for Jepsen's histories.

Values come back as plain Python, shaped like JSON's: nil → None, keywords and symbols → str
(``:invoke`` → ``"invoke"``), vectors, lists and sets → list (a set in source order: its items
may be vectors or maps, which a Python set cannot hold), maps → dict, tagged literals
(``#inst "..."``, ``#jepsen.history.Op{..}``) → the tagged form. One compiled regex
tokenizes and an explicit stack builds collections, so the reader is fast and deep nesting
cannot exhaust Python's recursion limit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# A character that continues a symbol or number: anything but whitespace and delimiters.
_C = r'[^\s,;()\[\]{}"\\]'
_TOKEN = re.compile(
    rf"""[\s,]*(?:;[^\n]*[\s,]*)*  # whitespace, commas and comments separate forms
    (?:(?P<sym>(?![+-][0-9])[^\s,;()\[\]{{}}"\\\#0-9]{_C}*)  # most common first
    |(?P<int>[+-]?[0-9]+N?)(?!{_C})
    |(?P<open>[(\[{{]|\#\{{)
    |(?P<close>[)\]}}])
    |(?P<str>"[^"\\]*(?:\\.[^"\\]*)*")
    |(?P<float>[+-]?[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?M?)(?!{_C})
    |(?P<badnum>[+-]?[0-9]{_C}*)
    |(?P<special>\#\#(?:Inf|-Inf|NaN))(?!{_C})
    |(?P<char>\\(?:{_C}+|.))
    |(?P<tag>\#_|\#[A-Za-z]{_C}*)
    |(?P<end>\Z)
    |(?P<bad>.))""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.DOTALL)
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_CHARS = {
    "newline": "\n",
    "space": " ",
    "tab": "\t",
    "return": "\r",
    "backspace": "\b",
    "formfeed": "\f",
}
_CONSTANTS: dict[str, Any] = {"nil": None, "true": True, "false": False}
_SPECIALS = {"##Inf": float("inf"), "##-Inf": float("-inf"), "##NaN": float("nan")}
_CLOSES = {"(": ")", "[": "]", "{": "}", "#{": "}"}

# A stack frame: (opener, its offset, the forms read so far). Tags and #_ have no forms
# (None): they wait for the one form after them.
_Frame = tuple[str, int, list[Any] | None]


class EdnError(ValueError):
    """Text that is not EDN; ``line`` and ``column`` are 1-based. ``str()`` is one line,
    ``line:column: message``."""

    def __init__(self, line: int, column: int, message: str) -> None:
        self.line = line
        self.column = column
        self.message = message
        super().__init__(f"{line}:{column}: {message}")

    def __reduce__(self) -> tuple[type[EdnError], tuple[int, int, str]]:
        return (type(self), (self.line, self.column, self.message))


def parse_edn(text: str) -> Any:
    """The one form in ``text``. Raises :class:`EdnError` for bad EDN, none or more forms."""
    forms = _forms(text, unwrap=False)
    first = next(forms, None)
    if first is None:
        raise _error(text, len(text), "no form in the text")
    second = next(forms, None)
    if second is not None:
        raise _error(text, second[0], "more than one form (expected exactly one)")
    return first[1]


def iter_edn(text: str, *, unwrap: bool = False) -> Iterator[tuple[int, Any]]:
    """Each top-level form of ``text`` with the 1-based line it starts on.

    With ``unwrap``, a text that opens with a vector or list is read as that collection's
    elements, each with its own line (a file that is one vector of ops still names the line
    of a bad op); anything after the collection is then an error."""
    line, counted = 1, 0
    for start, form in _forms(text, unwrap):
        line += text.count("\n", counted, start)
        counted = start
        yield line, form


def _forms(text: str, unwrap: bool) -> Iterator[tuple[int, Any]]:
    """(offset, form) for each top-level form (or element of the unwrapped collection)."""
    stack: list[_Frame] = []
    base = 0  # the depth whose forms are yielded: 1 inside an unwrapped collection
    top = 0  # where the form being read at that depth starts
    after_unwrapped = False  # the unwrapped collection has closed: only the end may follow
    # Tokens are contiguous (``bad`` takes any character no rule does), so finditer never
    # skips text; the generator returns at the first ``end``.
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup  # never None: every alternative is a named group
        token = m.group(kind)
        if unwrap:  # only the text's first token can open the collection to unwrap
            unwrap = False
            if token in ("[", "("):
                stack.append((token, m.start(kind), []))
                base = 1
                continue
        if len(stack) == base:
            top = m.start(kind)
            if after_unwrapped and kind != "end":
                raise _error(text, top, "a form after the collection that holds every form")
        if kind == "sym":
            value = token[1:] if token[0] == ":" else _CONSTANTS.get(token, token)
        elif kind == "int":
            value = int(token[:-1] if token[-1] == "N" else token)
        elif kind == "open":
            stack.append((token, m.start(kind), []))
            continue
        elif kind == "close":
            if not stack:
                raise _error(text, m.start(kind), f"unmatched {token!r}")
            opener, opened, items = stack.pop()
            if items is None:
                raise _error(text, opened, f"{opener!r} has no form after it")
            if _CLOSES[opener] != token:
                line, column = _line_column(text, opened)
                message = f"{token!r} does not close {opener!r} (at {line}:{column})"
                raise _error(text, m.start(kind), message)
            if len(stack) < base:
                base, after_unwrapped = 0, True
                continue
            value = _collection(text, opener, opened, items)
        elif kind == "str":
            value = _unescape(text, m.start(kind), token[1:-1])
        elif kind == "float":
            value = float(token[:-1] if token[-1] == "M" else token)
        elif kind == "tag":
            stack.append((token, m.start(kind), None))
            continue
        elif kind == "char":
            value = _character(text, m.start(kind), token[1:])
        elif kind == "special":
            value = _SPECIALS[token]
        elif kind == "end":
            if stack:
                opener, opened, items = stack[-1]
                what = "no form after it" if items is None else "no closing bracket"
                raise _error(text, opened, f"{opener!r} has {what}")
            return
        else:
            after = text[m.end() : m.end() + 1]
            raise _error(text, m.start(kind), _bad_token(kind, token, after))
        # A finished form: to the collection being read, through any tags waiting for it.
        while True:
            if len(stack) == base:
                yield top, value
                break
            opener, _, items = stack[-1]
            if items is not None:
                items.append(value)
                break
            stack.pop()
            if opener == "#_":
                break  # discarded


def _collection(text: str, opener: str, opened: int, items: list[Any]) -> Any:
    if opener != "{":
        return items
    if len(items) % 2:
        raise _error(text, opened, f"a map needs an even number of forms, not {len(items)}")
    keys = items[0::2]
    try:
        return dict(zip(keys, items[1::2], strict=True))
    except TypeError:  # a vector key: made a tuple, so that it can be a key
        return dict(zip(map(_hashable, keys), items[1::2], strict=True))


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(map(_hashable, value))
    if isinstance(value, dict):
        return tuple((_hashable(k), _hashable(v)) for k, v in value.items())
    return value


def _unescape(text: str, start: int, body: str) -> str:
    if "\\" not in body:
        return body

    def replace(m: re.Match[str]) -> str:
        if m.group(1):
            return chr(int(m.group(1), 16))
        if m.group(2) in _ESCAPES:
            return _ESCAPES[m.group(2)]
        raise _error(text, start + 1 + m.start(), f"unknown escape {m.group()!r} in a string")

    return _ESCAPE.sub(replace, body)


def _character(text: str, start: int, name: str) -> str:
    if len(name) == 1:
        return name
    if name in _CHARS:
        return _CHARS[name]
    if len(name) == 5 and name[0] == "u":
        try:
            return chr(int(name[1:], 16))
        except ValueError:
            pass
    raise _error(text, start, f"unknown character \\{name}")


def _bad_token(kind: str, token: str, after: str) -> str:
    if kind == "badnum":
        return f"bad number {token!r}"
    if token == '"':
        return "unterminated string"
    if token == "#":
        return f"unknown dispatch '#{after}'" if after else "'#' at the end of the text"
    return "a backslash at the end of the text"  # the only other token no rule matches


def _line_column(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


def _error(text: str, pos: int, message: str) -> EdnError:
    return EdnError(*_line_column(text, pos), message)
