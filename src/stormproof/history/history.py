"""A history: every op of a run in order, with each invoke matched to its completion."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

from stormproof.history.op import OP_TYPES, Op, OpType


class MalformedHistoryError(ValueError):
    """A sequence of ops that breaks the rules of a history; ``index`` is the first bad op.

    A ValueError, as :class:`History` promises; readers use ``index`` to name the line."""

    def __init__(self, index: int, reason: str) -> None:
        self.index = index
        self.reason = reason
        super().__init__(f"op {index}: {reason}")

    def __reduce__(self) -> tuple[type[MalformedHistoryError], tuple[int, str]]:
        return (type(self), (self.index, self.reason))


class History(Sequence[Op]):
    """Immutable ops, indexed 0..n-1 in the order they happened.

    The rules are Jepsen's: a process has at most one operation outstanding, so an invoke
    is matched with the next completion of the same process; and a process whose op ended
    ``info`` never invokes again (its op may still be in flight, so reusing the process
    would claim an order that does not exist). A history that breaks them raises
    :class:`MalformedHistoryError` naming the first bad op."""

    def __init__(self, ops: Iterable[Op], *, lines: Sequence[int] | None = None) -> None:
        self._ops = tuple(
            op if op.index == i else dataclasses.replace(op, index=i) for i, op in enumerate(ops)
        )
        self.lines: tuple[int, ...] | None = None if lines is None else tuple(lines)
        """For a history read from a file, the line each op came from: what a report names,
        since a file may hold lines that are not ops."""
        if self.lines is not None and len(self.lines) != len(self._ops):
            raise ValueError(f"{len(self.lines)} line numbers for {len(self._ops)} ops")
        self._completion: dict[int, int] = {}  # invoke index -> completion index
        self._invocation: dict[int, int] = {}  # completion index -> invoke index
        outstanding: dict[int, Op] = {}  # process -> its open invoke
        retired: dict[int, Op] = {}  # process -> the info that ended it
        for op in self._ops:
            if op.type == "invoke":
                _check_can_invoke(op, outstanding, retired)
                outstanding[op.process] = op
                continue
            invoke = outstanding.pop(op.process, None)
            if invoke is None:
                raise MalformedHistoryError(
                    op.index,
                    f"process {op.process} completes {op.f!r} ({op.type}) "
                    "with no invoke outstanding",
                )
            self._completion[invoke.index] = op.index
            self._invocation[op.index] = invoke.index
            if op.type == "info":
                retired[op.process] = op

    @overload
    def __getitem__(self, index: int) -> Op: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Op, ...]: ...
    def __getitem__(self, index: int | slice) -> Op | tuple[Op, ...]:
        # A slice is plain ops, not a History: it may cut an invoke from its completion.
        return self._ops[index]

    def __len__(self) -> int:
        return len(self._ops)

    def __iter__(self) -> Iterator[Op]:
        return iter(self._ops)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, History) and self._ops == other._ops

    __hash__ = None  # type: ignore[assignment]  # values are dicts and lists

    def __repr__(self) -> str:
        return f"History({len(self)} ops, {self.counts()})"

    def pairs(self) -> list[tuple[Op, Op | None]]:
        """Each invoke, in order, with its completion (None: it never completed)."""
        return [(op, self._completed_by(op)) for op in self._ops if op.type == "invoke"]

    def completion(self, invoke: Op) -> Op | None:
        """The op that completed ``invoke`` (an invoke of this history), or None."""
        self._check_own(invoke, "completion() takes an invoke", want_invoke=True)
        return self._completed_by(invoke)

    def invocation(self, completion: Op) -> Op | None:
        """The invoke that ``completion`` (an ok, fail or info of this history) completed.

        Never None for a history that was accepted; the type says what a caller holding an
        op of unknown kind must handle."""
        self._check_own(completion, "invocation() takes a completion", want_invoke=False)
        return self._ops[self._invocation[completion.index]]

    def completed(self, type: OpType = "ok", f: str | None = None) -> list[tuple[Op, Op]]:
        """(invoke, completion) for every op that ended ``type``, of function ``f`` if given
        (the invoke's ``f``: what was asked)."""
        if type == "invoke" or type not in OP_TYPES:
            raise ValueError(f"completed() takes ok, fail or info, not {type!r}")
        return [
            (invoke, done)
            for invoke, done in self.pairs()
            if done is not None and done.type == type and (f is None or invoke.f == f)
        ]

    def mentioning(self, needle: str) -> list[Op]:
        """Ops whose value holds ``needle`` at any depth: a string (or a mapping's key)
        equal to it or containing it. How a summary finds what happened to an entity id."""
        if not needle:
            raise ValueError("mentioning() needs a non-empty string")
        return [op for op in self._ops if _mentions(op.value, needle)]

    def counts(self) -> dict[str, int]:
        """How many ops of each type, every type present (zero included)."""
        counts = dict.fromkeys(OP_TYPES, 0)
        for op in self._ops:
            counts[op.type] += 1
        return counts

    def _completed_by(self, invoke: Op) -> Op | None:
        index = self._completion.get(invoke.index)
        return None if index is None else self._ops[index]

    def _check_own(self, op: Op, what: str, *, want_invoke: bool) -> None:
        if (op.type == "invoke") != want_invoke:
            raise ValueError(f"{what}, not {op.type} op {op.index}")
        if not (0 <= op.index < len(self._ops) and self._ops[op.index] == op):
            raise ValueError(f"op {op.index} ({op.type} {op.f!r}) is not in this history")


def _check_can_invoke(op: Op, outstanding: Mapping[int, Op], retired: Mapping[int, Op]) -> None:
    if op.process in outstanding:
        raise MalformedHistoryError(
            op.index,
            f"process {op.process} invokes {op.f!r} while its invoke at op "
            f"{outstanding[op.process].index} is outstanding",
        )
    if op.process in retired:
        raise MalformedHistoryError(
            op.index,
            f"process {op.process} invokes {op.f!r} after its info at op "
            f"{retired[op.process].index} (a process with an indeterminate op is never reused)",
        )


def _mentions(value: Any, needle: str) -> bool:
    if isinstance(value, str):
        return needle in value
    if isinstance(value, Mapping):
        return any(_mentions(k, needle) or _mentions(v, needle) for k, v in value.items())
    if isinstance(value, Sequence):  # lists and tuples; str was handled above
        return any(_mentions(item, needle) for item in value)
    return False
