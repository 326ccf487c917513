"""The sequential specifications a history is checked against: register, cas-register, kv,
set and counter (DESIGN, "Histories"; the rules are in each model's docstring).

A model turns one operation into a :class:`Step`: a function from the state before the op to
the state after it, or :data:`INCONSISTENT` when the op could not have happened in that state
(a read that saw another value, a cas whose compare could not have succeeded). States are
hashable, so that the search can remember the configurations it has already seen."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from stormproof.history._values import freeze, shown
from stormproof.history.op import Op

State = Hashable


class OpError(ValueError):
    """An op a model cannot take: an unknown function, a value of the wrong shape.
    ``index`` is the op's place in its history, so that a reader can name the line."""

    def __init__(self, index: int, reason: str) -> None:
        self.index = index
        self.reason = reason
        super().__init__(f"op {index}: {reason}")

    def __reduce__(self) -> tuple[type[OpError], tuple[int, str]]:
        return (type(self), (self.index, self.reason))


class _Inconsistent:
    """The one value a step returns for "this op cannot happen here"; never a state."""

    def __repr__(self) -> str:
        return "INCONSISTENT"


INCONSISTENT: Final = _Inconsistent()


@dataclass(frozen=True)
class Step:
    """One operation, ready for the search.

    ``apply`` maps a state to the next one (or :data:`INCONSISTENT`). ``changes`` is False
    for an op that can never change the state (a read): one whose outcome is unknown
    constrains nothing and is left out of the check."""

    apply: Callable[[Any], Any]
    changes: bool


@dataclass(frozen=True)
class Call:
    """What a model needs to know about one operation.

    ``written`` is the invoke's value (what was asked); ``read`` the ok completion's value
    (what was seen); ``outcome`` says how it ended: "ok", "fail" or "unknown" (info, or no
    completion at all)."""

    index: int
    f: str
    written: Any
    read: Any
    outcome: str


class Model:
    """A sequential specification: an initial state and a step per function."""

    name: str = ""
    functions: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    """The functions that never change the state: one of unknown outcome constrains
    nothing, and is left out."""
    partitioned: bool = False
    """True when independent keys may be checked apart (P-compositionality)."""
    summary: str = ""

    def initial(self) -> State:
        raise NotImplementedError

    def step(self, call: Call) -> Step | None:
        """The step for ``call``, or None when the call is left out of the check (a failed op
        that did not happen, a read whose result is unknown). Raises :class:`OpError` when
        the model cannot take it."""
        if call.f not in self.functions:
            raise OpError(
                call.index,
                f"the {self.name} model has no function {call.f!r} "
                f"(it has {', '.join(self.functions)})",
            )
        if call.outcome == "fail" and not self._fail_happens(call):
            return None
        if call.outcome == "unknown" and call.f in self.reads:
            return None
        return self._step(call)

    def show(self, state: State) -> str:
        """A state as a person reads it in a witness."""
        return "nothing" if state is None else shown(state)

    def _fail_happens(self, call: Call) -> bool:
        """Whether a ``fail`` outcome still took place (cas-register's failed compare)."""
        return False

    def _step(self, call: Call) -> Step:
        raise NotImplementedError


def _reads(expected: Any) -> Step:
    def apply(state: Any) -> Any:
        return state if state == expected else INCONSISTENT

    return Step(apply, changes=False)


def _becomes(value: Any) -> Step:
    def apply(state: Any) -> Any:
        return value

    return Step(apply, changes=True)


class Register(Model):
    """One value, initially absent (None). ``read`` (ok value = what was read) is allowed only
    when it saw the current value; ``write v`` sets it."""

    name = "register"
    functions = ("read", "write")
    reads = ("read",)
    partitioned = True
    summary = "read, write; split by key"

    def initial(self) -> State:
        return None

    def _step(self, call: Call) -> Step:
        if call.f == "read":
            return _reads(freeze(call.read))
        return _becomes(freeze(call.written))


class CasRegister(Register):
    """A register with compare-and-set. ``cas [expected new]``: ok means the state was
    ``expected`` and became ``new``; fail means the compare failed (the state was not
    ``expected``), so it happened and changed nothing; unknown (info) means either."""

    name = "cas-register"
    functions = ("read", "write", "cas")
    summary = "read, write, cas [expected new]; fail on cas = compare failed; split by key"

    def _fail_happens(self, call: Call) -> bool:
        return call.f == "cas"

    def _step(self, call: Call) -> Step:
        if call.f != "cas":
            return super()._step(call)
        expected, new = _pair(call)
        if call.outcome == "ok":
            return Step(lambda s: new if s == expected else INCONSISTENT, changes=True)
        if call.outcome == "fail":
            return Step(lambda s: INCONSISTENT if s == expected else s, changes=False)
        return Step(lambda s: new if s == expected else s, changes=True)


def _pair(call: Call) -> tuple[Hashable, Hashable]:
    value = call.written
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise OpError(call.index, f"cas takes [expected, new], not {shown(value)}")
    return freeze(value[0]), freeze(value[1])


class KeyValue(Model):
    """Strings per key, each initially "" (an absent key reads as "", and a read of nil means
    ""). ``get`` sees the current string, ``put v`` replaces it, ``append v`` concatenates."""

    name = "kv"
    functions = ("get", "put", "append")
    reads = ("get",)
    partitioned = True
    summary = "get, put, append (string concatenation); split by key"

    def initial(self) -> State:
        return ""

    def show(self, state: State) -> str:
        return repr(state)

    def _step(self, call: Call) -> Step:
        if call.f == "get":
            return _reads("" if call.read is None else _text(call, call.read))
        value = _text(call, call.written)
        if call.f == "put":
            return _becomes(value)
        return Step(lambda s: s + value, changes=True)


def _text(call: Call, value: Any) -> str:
    if not isinstance(value, str):
        raise OpError(call.index, f"kv {call.f} takes a string, not {shown(value)}")
    return value


class GrowSet(Model):
    """One set, initially empty. ``add x`` adds x; ``read`` (ok value = every element read)
    must see exactly the current set, in any order."""

    name = "set"
    functions = ("add", "read")
    reads = ("read",)
    summary = "add x, read (the whole set)"

    def initial(self) -> State:
        return frozenset()

    def show(self, state: State) -> str:
        assert isinstance(state, frozenset)
        return "{" + ", ".join(sorted(map(shown, state))) + "}"

    def _step(self, call: Call) -> Step:
        if call.f == "read":
            if not isinstance(call.read, list | tuple | set | frozenset):
                raise OpError(call.index, f"a set read returns a list, not {shown(call.read)}")
            return _reads(frozenset(freeze(item) for item in call.read))
        element = freeze(call.written)
        return Step(lambda s: s | {element}, changes=True)


class Counter(Model):
    """One integer, initially 0. ``add n`` adds n (negative to subtract); ``read`` must see
    the current count."""

    name = "counter"
    functions = ("add", "read")
    reads = ("read",)
    summary = "add n, read"

    def initial(self) -> State:
        return 0

    def _step(self, call: Call) -> Step:
        if call.f == "read":
            return _reads(_number(call, call.read))
        delta = _number(call, call.written)
        return Step(lambda s: s + delta, changes=True)


def _number(call: Call, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise OpError(call.index, f"counter {call.f} takes an integer, not {shown(value)}")
    return value


MODELS: Mapping[str, Model] = {
    model.name: model for model in (Register(), CasRegister(), KeyValue(), GrowSet(), Counter())
}
MODEL_NAMES: tuple[str, ...] = tuple(MODELS)


def model_named(name: str) -> Model:
    """The model called ``name``; ValueError listing the models otherwise."""
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(
            f"unknown model {name!r} (expected one of: {', '.join(MODEL_NAMES)})"
        ) from None


def completion_outcome(completion: Op | None) -> str:
    """How an op ended, as a model sees it."""
    if completion is None or completion.type == "info":
        return "unknown"
    return completion.type
