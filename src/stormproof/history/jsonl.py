"""``history.jsonl``: one op per line, one JSON object per op (DESIGN, "Histories").

Written as the run goes, so a crashed run still leaves every op it recorded; read back
with every problem named by file and line. :class:`HistoryError` and the two steps every
reader shares (the file's text; ops to a History) live here too, for the other formats."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import TracebackType
from typing import IO

from stormproof.history.history import History, MalformedHistoryError
from stormproof.history.op import Op


class HistoryError(Exception):
    """A history file that cannot be used. ``str()`` is one line, ``path:line: message``
    (``path: message`` when the problem is the file as a whole), as editors expect."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = str(path) if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[HistoryError], tuple[Path, int | None, str]]:
        # Exceptions pickle their `args`, which here is only the formatted line.
        return (type(self), (self.path, self.line, self.message))


class HistoryWriter:
    """Streams ops to ``path`` (created or truncated), one line each, flushed per line so
    that whatever kills the run cannot take recorded ops with it. Usable as a context
    manager; safe to share between threads (a line is never interleaved with another)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="\n")
        self._lock = threading.Lock()

    def write(self, op: Op) -> None:
        # Serialize before touching the file: a value that is not JSON-ready raises here
        # and leaves no half-written line behind.
        line = json.dumps(op.to_dict()) + "\n"
        with self._lock:
            if self._file.closed:
                raise ValueError(f"{self.path}: history writer is closed")
            self._file.write(line)
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()

    def __enter__(self) -> HistoryWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def read_jsonl(path: Path) -> History:
    """The history in ``path`` (blank lines skipped). Raises :class:`HistoryError` naming
    the first bad line: not UTF-8, not JSON, not an object, a missing or mistyped field,
    or an op that breaks the rules of a history (see :class:`History`)."""
    ops: list[Op] = []
    lines: list[int] = []  # ops[i] came from line lines[i]
    for number, text in enumerate(read_text(path).split("\n"), start=1):
        if text.strip():
            ops.append(_parse_line(path, number, text, index=len(ops)))
            lines.append(number)
    return history_from_lines(path, ops, lines)


def read_text(path: Path) -> str:
    """The text of a history file, a problem raised as :class:`HistoryError` (the line of
    the first byte that is not UTF-8). Every reader goes through here, so every format
    reports an unreadable file alike."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise HistoryError(path, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = exc.start - data.rfind(b"\n", 0, exc.start)
        raise HistoryError(path, line, f"not UTF-8 text (byte {byte})") from None


def history_from_lines(path: Path, ops: list[Op], lines: list[int]) -> History:
    """``History(ops)``, where ``ops[i]`` was read from line ``lines[i]`` of ``path``: an op
    that breaks the rules of a history is a :class:`HistoryError` naming its line."""
    try:
        return History(ops, lines=lines)
    except MalformedHistoryError as exc:
        raise HistoryError(path, lines[exc.index], exc.reason) from None


def _parse_line(path: Path, number: int, text: str, index: int) -> Op:
    """The op on one non-blank line."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HistoryError(path, number, f"not JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(data, dict):
        raise HistoryError(path, number, f"expected a JSON object, found {_json_kind(data)}")
    try:
        return Op.from_dict(data, index=index)
    except ValueError as exc:
        raise HistoryError(path, number, str(exc)) from None


def _json_kind(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
