"""SQL text, read just enough: its verb, tables, placeholders, SET and WHERE clauses.

Enough to tell a read from a write, an atomic `SET x = x - ?` from one that writes
back a value computed in Python, and an `INSERT … ON CONFLICT DO NOTHING` from a
plain insert. Not a parser: statements it cannot read are left alone.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SQL_VERBS = _words(
    "SELECT INSERT UPDATE DELETE REPLACE MERGE UPSERT WITH BEGIN COMMIT ROLLBACK SET LOCK START "
    "SAVEPOINT CREATE DROP ALTER PRAGMA VALUES"
)
_WRITE_VERBS = _words("INSERT UPDATE DELETE REPLACE MERGE UPSERT")
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_PLACEHOLDER = re.compile(
    r"\?|%s|%\((?P<pyname>\w+)\)s|(?<![:\w]):(?P<name>[A-Za-z_]\w*)|\$(?P<num>\d+)"
    r"|\x00(?P<expr>\d+)\x00"
)
_NAME = r'((?:(?:"[^"]+"|\w+)\.)*(?:"[^"]+"|`[^`]+`|[A-Za-z_]\w*))'
_TABLE_PATTERNS = {
    "SELECT": re.compile(rf"\b(?:FROM|JOIN)\s+{_NAME}", re.IGNORECASE),
    "INSERT": re.compile(rf"\bINTO\s+{_NAME}", re.IGNORECASE),
    "REPLACE": re.compile(rf"\bINTO\s+{_NAME}", re.IGNORECASE),
    "UPDATE": re.compile(rf"\bUPDATE\s+(?:ONLY\s+)?{_NAME}", re.IGNORECASE),
    "DELETE": re.compile(rf"\bDELETE\s+FROM\s+{_NAME}", re.IGNORECASE),
}
_UPDATE_CLAUSES = re.compile(
    r"\bSET\b(?P<set>.*?)(?:\bWHERE\b(?P<where>.*?))?(?:\bRETURNING\b.*)?$",
    re.IGNORECASE | re.DOTALL,
)
_SELECT_LIST = re.compile(r"\bSELECT\b(?P<list>.*?)\bFROM\b", re.IGNORECASE | re.DOTALL)
_CONFLICT_IGNORED = re.compile(
    r"\bINSERT\s+OR\s+IGNORE\b|\bINSERT\s+IGNORE\b|\bON\s+CONFLICT\b[^;]*?\bDO\s+NOTHING\b",
    re.IGNORECASE | re.DOTALL,
)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
ALL_COLUMNS = "*"


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A bind parameter in SQL text, and where it starts (character offset)."""

    start: int
    key: tuple[str, int | str]  # ("pos", 0) | ("name", "qty") | ("num", 1) | ("expr", 0)


@dataclass(frozen=True, slots=True)
class Assignment:
    """One `col = expr` of an UPDATE's SET clause, with its character span in the text."""

    column: str
    expression: str
    start: int
    end: int

    @property
    def atomic(self) -> bool:
        """Whether the database computes the new value from the column itself (`x = x - ?`)."""
        pattern = rf"\b{re.escape(self.column)}\b"
        # `:qty` and `%(qty)s` name a parameter, not the column.
        expression = _PLACEHOLDER.sub("?", self.expression)
        return re.search(pattern, expression, re.IGNORECASE) is not None


@dataclass(frozen=True, slots=True)
class SqlStatement:
    """SQL text as written in the code; f-string parts are `\\x00N\\x00` markers."""

    text: str
    verb: str
    tables: tuple[str, ...]
    placeholders: tuple[Placeholder, ...]
    # The expressions interpolated into an f-string (or appended with `+`), by marker.
    interpolations: tuple[ast.expr, ...] = ()

    @property
    def is_write(self) -> bool:
        return self.verb in _WRITE_VERBS

    @property
    def conflict_ignored(self) -> bool:
        """INSERT OR IGNORE / INSERT IGNORE / ON CONFLICT … DO NOTHING."""
        return self.verb == "INSERT" and _CONFLICT_IGNORED.search(self.text) is not None

    def mentions(self, *phrases: str) -> bool:
        """Whether the text contains one of `phrases` (case and spacing ignored)."""
        upper = " ".join(self.text.upper().split())
        return any(p.upper() in upper for p in phrases)

    @property
    def columns(self) -> tuple[str, ...]:
        """For a SELECT: the identifiers of its select list (`*` for all columns)."""
        match = _SELECT_LIST.search(self.text) if self.verb == "SELECT" else None
        if match is None:
            return ()
        selected = match.group("list")
        names = [n.lower() for n in _IDENTIFIER.findall(selected)]
        return (*names, ALL_COLUMNS) if "*" in selected else tuple(names)

    @property
    def assignments(self) -> tuple[Assignment, ...]:
        match = _UPDATE_CLAUSES.search(self.text) if self.verb == "UPDATE" else None
        if match is None:
            return ()
        return tuple(_split_assignments(self.text, match.start("set"), match.end("set")))

    @property
    def where(self) -> str:
        match = _UPDATE_CLAUSES.search(self.text) if self.verb == "UPDATE" else None
        return (match.group("where") or "") if match else ""

    @property
    def returning(self) -> bool:
        return re.search(r"\bRETURNING\b", self.text, re.IGNORECASE) is not None


def parse_sql(text: str, interpolations: tuple[ast.expr, ...] = ()) -> SqlStatement | None:
    """Classify SQL text; None when it does not start like a SQL statement."""
    body = _COMMENTS.sub(" ", text)
    words = _IDENTIFIER.findall(body.lstrip(" \t\r\n("))
    if not words or words[0].upper() not in _SQL_VERBS:
        return None
    verb = words[0].upper()
    if verb == "WITH":
        main = re.search(r"\)\s*(SELECT|INSERT|UPDATE|DELETE)\b", body, re.IGNORECASE)
        verb = main.group(1).upper() if main else "SELECT"
    pattern = _TABLE_PATTERNS.get(verb)
    found = pattern.findall(body) if pattern is not None else []
    tables = tuple(dict.fromkeys(_table_name(t) for t in found))
    return SqlStatement(text, verb, tables, tuple(_placeholders(text)), interpolations)


def _table_name(raw: str) -> str:
    return raw.replace('"', "").replace("`", "").rsplit(".", 1)[-1].lower()


def _placeholders(text: str) -> Iterator[Placeholder]:
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.group("pyname") or match.group("name"):
            key: tuple[str, int | str] = ("name", match.group("pyname") or match.group("name"))
        elif match.group("num"):
            key = ("num", int(match.group("num")))
        elif match.group("expr"):
            key = ("expr", int(match.group("expr")))
        else:
            key = ("pos", position)
            position += 1
        yield Placeholder(match.start(), key)


def _split_assignments(text: str, start: int, end: int) -> Iterator[Assignment]:
    depth, piece_start = 0, start
    for index in range(start, end + 1):
        char = text[index] if index < end else ","
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            column, sep, expression = text[piece_start:index].partition("=")
            if sep:
                name = column.strip().strip('"`').rsplit(".", 1)[-1]
                yield Assignment(name.lower(), expression.strip(), piece_start, index)
            piece_start = index + 1
