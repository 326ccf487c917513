"""Linearizability as a chaos invariant: the workload's ops judged against a model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stormproof.history._report import NamedInvariant
from stormproof.history.history import History
from stormproof.history.lin.check import check_linearizable
from stormproof.history.lin.explain import show_op
from stormproof.history.lin.models import Model, model_named
from stormproof.history.op import Op
from stormproof.history.verdict import Invariant, Verdict

DEFAULT_TIMEOUT = 30.0
"""Seconds: a run's report should not wait on the checker longer than the run took."""


def linearizable(
    name: str,
    model: str | Model,
    *,
    select: Callable[[Op], bool] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Invariant:
    """The history's ops (those ``select`` picks by their invoke; default: all) must be
    linearizable with respect to ``model`` (a name: register, cas-register, kv, set,
    counter; or a :class:`~stormproof.history.lin.Model`). The final state is not used.

    When the ``timeout`` runs out the verdict is "unknown". A violation's witness names the
    op that cannot be placed (``ops``: its invoke and completion), the states the model
    could have been in, and the end of a linearization of the history before it."""
    spec = model_named(model) if isinstance(model, str) else model
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, not {timeout!r}")

    def judge(history: History, final: Any) -> Verdict:
        result = check_linearizable(history, spec, timeout=timeout, select=select)
        counts = {"ops": result.ops, "keys": result.keys, "configurations": result.configurations}
        where = f"{result.ops} ops" + (f" over {result.keys} keys" if result.keys > 1 else "")
        if result.valid == "unknown":
            return Verdict(name, "unknown", f"{where}: {result.reason}", counts=counts)
        if result.valid:
            return Verdict(name, True, f"{where}, linearizable as a {spec.name}", counts=counts)
        assert result.witness is not None
        return Verdict(
            name, False, _message(result.witness, where), (_witness(result.witness),), counts=counts
        )

    return NamedInvariant(name, judge)


def _message(witness: dict[str, Any], where: str) -> str:
    op = witness["op"]
    key = "" if witness["key"] is None else f" on key {witness['key']!r}"
    states = witness["states"]
    could = " or ".join(states) if len(states) <= 3 else f"one of {len(states)} states"
    because = (
        witness["why"][0].rstrip(":") if "why" in witness else f"the state could only be {could}"
    )
    return (
        f"not linearizable{key}: op {op['index']} (process {op['process']} {op['f']} "
        f"{op['value']!r}) cannot be placed, {because} ({where})"
    )


def _witness(witness: dict[str, Any]) -> dict[str, Any]:
    """The witness as a chaos report shows it: ``ops`` for the summary's history excerpt,
    and the end of the linearization in words."""
    op = witness["op"]
    ops = [op["index"]] + ([op["completion"]] if "completion" in op else [])
    return {
        "ops": ops,
        "key": witness["key"],
        "op": show_op(op),
        "states": witness["states"],
        **({"why": witness["why"]} if "why" in witness else {}),
        "linearized_before": [show_op(other) for other in witness["linearization"][-5:]],
        "concurrent": [show_op(other) for other in witness["concurrent"][:5]],
    }
