"""Jepsen's two history formats: the text log and EDN op maps.

The text log is what ``jepsen.util`` prints as a test runs, one op a line, after whatever
prefix the logger adds::

    INFO  jepsen.util - 2	:invoke	:cas	[3 0]
    2017-03-13 10:09:21,540{GMT}	INFO	[jepsen worker 0] jepsen.util: 0	:ok	:read	3
    INFO [2019-04-01 11:25:23,791] jepsen worker 1 - jepsen.util 1	:invoke	:read	nil

EDN is ``history.edn``: one op map per line (or one vector of them), as Jepsen and Porcupine's
test data store it. Neither format need have times; an op without one gets its position, so
that times still never decrease. Ops whose process is not an integer (the ``:nemesis``) are
faults, not client operations, and are left out.

``jepsen.independent`` tests (many keys, each its own small register) write each op's value
as a ``[key value]`` tuple; :func:`split_independent` turns those into keyed ops. Nothing
tells such a tuple from a cas's ``[expected new]`` or a list value, so it is done only when
asked (``read_history(..., independent=True)``, ``stormproof lin --independent``)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from stormproof.history._values import shown
from stormproof.history.edn import EdnError, iter_edn, parse_edn
from stormproof.history.history import History
from stormproof.history.jsonl import HistoryError, history_from_lines, read_text
from stormproof.history.op import Op, as_op_type

_LOGGER = "jepsen.util"
# After the logger's name (and the " -" or ":" some log layouts put after it): process, :type,
# :f, then the value and an optional tab-separated error (Jepsen prints ``process \t type \t
# f \t value [\t error]``; spaces are accepted too).
_LOG_OP = re.compile(r"jepsen\.util(?: -|:)?\s+(\S+)\s+:(\S+)\s+:(\S+)(.*)")
_INTEGER = re.compile(r"-?[0-9]+")
_UNPARSED = object()


def read_jepsen_log(path: Path) -> History:
    """The client ops of a Jepsen text log; lines of other loggers are skipped. Raises
    :class:`HistoryError` naming the first bad line: a ``jepsen.util`` line that is not an
    op, an unknown type, a value that is not EDN, an op that breaks the rules of a history."""
    ops: list[Op] = []
    lines: list[int] = []  # ops[i] came from line lines[i]
    # Logs repeat a few values (nil, small numbers, :timed-out) thousands of times: each
    # immutable one is parsed once. (A list is parsed every time: ops must not share one.)
    atoms: dict[str, Any] = {}
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if _LOGGER not in line:
            continue
        m = _LOG_OP.search(line)
        if m is None:
            raise HistoryError(path, number, "a jepsen.util line that is not 'P :type :f value'")
        process, op_type, f, rest = m.groups()
        if not _INTEGER.fullmatch(process):
            continue  # the nemesis
        value_text, _, error = rest.strip().partition("\t")
        value = atoms.get(value_text, _UNPARSED)
        if value is _UNPARSED:
            value = _parse_value(path, number, value_text)
            if not isinstance(value, list | dict):
                atoms[value_text] = value
        try:
            op_type = as_op_type(op_type)
        except ValueError as exc:
            raise HistoryError(path, number, str(exc)) from None
        index = len(ops)
        ops.append(Op(int(process), op_type, f, value, index, index, error.strip() or None))
        lines.append(number)
    return history_from_lines(path, ops, lines)


def read_edn_history(path: Path) -> History:
    """The client ops of an EDN history: op maps, one after another or in one vector, with
    keys ``:process :type :f`` and optionally ``:value :key :time :error`` (others are
    ignored). Raises :class:`HistoryError` naming the line of the first bad form or op."""
    text = read_text(path)
    ops: list[Op] = []
    lines: list[int] = []
    try:
        for number, form in iter_edn(text, unwrap=True):
            if not isinstance(form, dict):
                raise HistoryError(path, number, f"expected an op map, found {_edn_kind(form)}")
            process = form.get("process")
            if process is not None and (not isinstance(process, int) or isinstance(process, bool)):
                continue  # the nemesis
            error = form.get("error")  # any EDN: a keyword (:timed-out), a string, a map...
            data = {"value": None, "time": len(ops), **form}
            data["error"] = None if error is None else str(error)
            try:
                ops.append(Op.from_dict(data, index=len(ops)))
            except ValueError as exc:
                raise HistoryError(path, number, str(exc)) from None
            lines.append(number)
    except EdnError as exc:
        message = f"not EDN: {exc.message} (column {exc.column})"
        raise HistoryError(path, exc.line, message) from None
    return history_from_lines(path, ops, lines)


def split_independent(path: Path, history: History) -> History:
    """``history`` (read from ``path``) with each op's ``[key value]`` value split into the
    op's key and value, as ``jepsen.independent`` writes them: ``[3 [1 2]]`` is a cas of key
    3, ``[3 nil]`` a read of key 3 being invoked.

    Raises :class:`HistoryError` naming the line of the first op whose value is not a pair,
    whose key is not a string or an integer (the types an op's key has), that already has a
    key, or whose key is not its invoke's (one op is about one key)."""
    assert history.lines is not None, "a history read from a file knows its lines"
    lines = history.lines
    ops: list[Op] = []
    for op in history:
        what = f"process {op.process} {op.type} {op.f!r}"
        if op.key is not None:
            message = f"{what} already has key {op.key!r}; an independent history's key is in"
            raise HistoryError(path, lines[op.index], f"{message} its value")
        if not isinstance(op.value, list) or len(op.value) != 2:
            message = f"{what}: value {shown(op.value)} is not a [key value] pair"
            raise HistoryError(path, lines[op.index], f"{message}, as jepsen.independent writes")
        key, value = op.value
        if not isinstance(key, str | int) or isinstance(key, bool):
            message = f"{what}: key {shown(key)} is not a string or an integer"
            raise HistoryError(path, lines[op.index], message)
        if op.type != "invoke":
            invoked = history.invocation(op)
            assert invoked is not None  # an accepted history completes only what it invoked
            invoke = ops[invoked.index]
            if invoke.key != key:
                message = f"{what}: key {key!r} is not its invoke's key {invoke.key!r}"
                raise HistoryError(path, lines[op.index], f"{message} (line {lines[invoke.index]})")
        ops.append(dataclasses.replace(op, key=key, value=value))
    return History(ops, lines=lines)


def _parse_value(path: Path, number: int, text: str) -> Any:
    try:
        return parse_edn(text) if text else None
    except EdnError as exc:
        raise HistoryError(path, number, f"bad value {text!r}: {exc.message}") from None


def _edn_kind(form: Any) -> str:
    names = {list: "a vector", str: "a string or keyword", bool: "a boolean", type(None): "nil"}
    return names.get(type(form), "a number")
