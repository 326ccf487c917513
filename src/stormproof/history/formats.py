"""Which format a history file is in, and reading it in that format.

stormproof writes JSON lines; Jepsen's text log and EDN histories are read too, so that the
checkers run on histories recorded by Jepsen (and on the test data of other checkers)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal, get_args

from stormproof.history.history import History
from stormproof.history.jepsen import read_edn_history, read_jepsen_log, split_independent
from stormproof.history.jsonl import HistoryError, read_jsonl

HistoryFormat = Literal["jsonl", "jepsen-log", "edn"]
FORMATS: tuple[HistoryFormat, ...] = get_args(HistoryFormat)

_READERS: dict[str, Callable[[Path], History]] = {
    "jsonl": read_jsonl,
    "jepsen-log": read_jepsen_log,
    "edn": read_edn_history,
}
_BY_SUFFIX: dict[str, HistoryFormat] = {".jsonl": "jsonl", ".json": "jsonl", ".edn": "edn"}
_JSON_OBJECT = re.compile(r"\{\s*\"")
# An op map, maybe tagged (#jepsen.history.Op{...}), maybe the first of a vector of them.
_EDN_MAP = re.compile(r"(?:\[\s*)?(?:#[\w.\-]+\s*)?\{\s*:")
# A Jepsen log may open with other loggers' lines: look this far for the first op line.
_SNIFF_LINES = 1000


def detect_format(path: Path) -> HistoryFormat:
    """The format of ``path``: by its suffix (``.jsonl``, ``.json``, ``.edn``), else by its
    first non-blank line (a JSON object, an EDN map), else by a ``jepsen.util`` line near
    the top (a Jepsen log). A file with no non-blank line is an empty history in every
    format: it is called jsonl. Raises :class:`HistoryError` when none of these fits."""
    by_suffix = _BY_SUFFIX.get(path.suffix.lower())
    if by_suffix is not None:
        return by_suffix
    first: tuple[int, str] | None = None
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            for number, line in enumerate(file, start=1):
                if first is None and line.strip():
                    first = number, line.lstrip()
                    if _JSON_OBJECT.match(first[1]):
                        return "jsonl"
                    if _EDN_MAP.match(first[1]):
                        return "edn"
                if "jepsen.util" in line:
                    return "jepsen-log"
                if number == _SNIFF_LINES:
                    break
    except OSError as exc:
        raise HistoryError(path, None, f"cannot read: {exc.strerror or exc}") from None
    if first is None:
        return "jsonl"
    choices = ", ".join(FORMATS)
    raise HistoryError(
        path,
        first[0],
        f"cannot tell the format of this history from its name or first line "
        f"(name it with --history-format: {choices})",
    )


def read_history(
    path: Path | str,
    format: HistoryFormat | Literal["auto"] = "auto",
    *,
    independent: bool = False,
) -> History:
    """The history in ``path``, read as ``format`` (``auto``: :func:`detect_format`).

    With ``independent``, every op's value is a ``[key value]`` pair, as Jepsen's
    ``jepsen.independent`` workloads write them, and is split into the op's key and value
    (see :func:`~stormproof.history.jepsen.split_independent`); a pair cannot be told from a
    list value by looking, so it is never guessed.

    Raises :class:`HistoryError` for a file that cannot be read or used, ValueError for a
    format that does not exist."""
    if format != "auto" and format not in _READERS:
        raise ValueError(f"unknown history format {format!r} (expected auto, {', '.join(FORMATS)})")
    path = Path(path)
    history = _READERS[detect_format(path) if format == "auto" else format](path)
    return split_independent(path, history) if independent else history
