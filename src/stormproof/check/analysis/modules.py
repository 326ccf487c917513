"""Calls across the modules of one service: exported function summaries and references to them.

A rule that follows a call into another file of the same service exports, per file, a
summary of each function under its key (`function_key`: `pkg.module.func`,
`pkg.module.Class.method`), the module-level objects built from a class
(`module_bindings`: `payments = PaymentsClient()`), and, per call site, a reference to
the callee spelled as the calling file sees it (`function_ref`: an import path,
`pkg.module.obj.method`). Its project pass gathers those exports in an
`ExportedFunctions`, which matches references with keys (`resolve`) and walks the
calls a few levels deep (`reachable`).
"""

from __future__ import annotations

import ast
import sys
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from stormproof.check.analysis.scopes import FunctionNode
from stormproof.check.analysis.syntax import is_self
from stormproof.check.context import FileContext
from stormproof.check.prefilter import LIBRARIES

# Calls into these are library calls, never another module of the project.
_FOREIGN_MODULES = (
    frozenset(sys.stdlib_module_names)
    | frozenset(LIBRARIES)
    | frozenset(
        {
            "pydantic",
            "pydantic_settings",
            "uvicorn",
            "jose",
            "jwt",
            "structlog",
            "prometheus_client",
        }
    )
)


def module_name(ctx: FileContext) -> str:
    """`payments/routers/charges.py` → `payments.routers.charges`."""
    return _module_of(ctx.relpath)


@lru_cache(maxsize=4096)
def _module_of(relpath: str) -> str:
    parts = relpath.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(p for p in parts if p not in ("", ".", ".."))


def same_object(a: str, b: str) -> bool:
    """Whether two dotted names (one maybe relative or shorter) can name the same object."""
    left = [p for p in a.split(".") if p]
    right = [p for p in b.split(".") if p]
    shorter, longer = sorted((left, right), key=len)
    return bool(shorter) and longer[-len(shorter) :] == shorter


def function_key(ctx: FileContext, function: FunctionNode) -> str:
    """`payments.crud.create_charge`, or `booking.clients.PaymentsClient.charge` for a method."""
    owner = ctx.scopes.parent.get(function)
    middle = f"{owner.name}." if isinstance(owner, ast.ClassDef) else ""
    return f"{module_name(ctx)}.{middle}{function.name}"


def function_ref(ctx: FileContext, call: ast.Call) -> str | None:
    """How `call` names the function it calls, comparable with `function_key` elsewhere.

    None for calls into the standard library and well-known third-party packages.
    """
    func = call.func
    module = module_name(ctx)
    if isinstance(func, ast.Attribute) and is_self(func.value):
        owner = ctx.scopes.cls(call)
        return f"{module}.{owner.name}.{func.attr}" if owner is not None else None
    qualname = ctx.qualname(func)
    if qualname is not None:
        return qualname if qualname.lstrip(".").split(".")[0] not in _FOREIGN_MODULES else None
    if isinstance(func, ast.Name):
        return f"{module}.{func.id}" if func.id in _function_names(ctx) else None
    if isinstance(func, ast.Attribute):
        instance = ctx.instances.resolve(func.value, call)
        if instance is not None and instance.qualname.split(".")[0] not in _FOREIGN_MODULES:
            return f"{_class_key(module, instance.qualname)}.{func.attr}"
    return None


_FUNCTION_NAMES: weakref.WeakKeyDictionary[FileContext, frozenset[str]] = (
    weakref.WeakKeyDictionary()
)


def _function_names(ctx: FileContext) -> frozenset[str]:
    """The names of every function and method defined in the file."""
    found = _FUNCTION_NAMES.get(ctx)
    if found is None:
        found = _FUNCTION_NAMES[ctx] = frozenset(f.name for f in ctx.functions)
    return found


def _class_key(module: str, qualname: str) -> str:
    """An instance's class as other modules name it (`local.Client` → `pkg.module.Client`)."""
    if qualname.startswith("local."):
        return f"{module}.{qualname.removeprefix('local.')}"
    return qualname


def module_bindings(ctx: FileContext) -> dict[str, str]:
    """Module-level objects built from a class: `payments = PaymentsClient()` → class key."""
    module = module_name(ctx)
    found = {}
    for node in ctx.tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            instance = ctx.instances.instance_of_call(node.value)
            if instance is None:
                continue
            owner = _class_key(module, instance.qualname)
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[f"{module}.{target.id}"] = owner
    return found


class CallTargets:
    """Finds the exported function a reference names, among one service's files."""

    def __init__(self, keys: list[str], bindings: dict[str, str]) -> None:
        self._by_name: dict[str, list[str]] = {}
        for key in keys:
            self._by_name.setdefault(key.rsplit(".", 1)[-1], []).append(key)
        self._bindings = bindings

    def resolve(self, ref: str) -> str | None:
        name = ref.rsplit(".", 1)[-1]
        matches = [k for k in self._by_name.get(name, []) if same_object(k, ref)]
        if len(matches) == 1:
            return matches[0]
        owner, _, method = ref.rpartition(".")
        bound = [cls for obj, cls in self._bindings.items() if owner and same_object(obj, owner)]
        if len(bound) == 1 and bound[0] != owner:
            return self.resolve(f"{bound[0]}.{method}")
        return None


class ExportedFunctions:
    """The function summaries and module bindings a group of files (one service) exported.

    Each export is a rule's per-file data holding `"functions"` ({function_key: summary})
    and `"bindings"` (`module_bindings`).
    """

    def __init__(self, exports: Iterable[Mapping[str, Any]]) -> None:
        self.summaries: dict[str, Any] = {}
        bindings: dict[str, str] = {}
        for data in exports:
            self.summaries.update(data.get("functions", {}))
            bindings.update(data.get("bindings", {}))
        self._targets = CallTargets(list(self.summaries), bindings)

    def resolve(self, ref: str) -> str | None:
        """The key of the exported function `ref` (see `function_ref`) names, if one does."""
        return self._targets.resolve(ref)

    def reachable(
        self, refs: Iterable[str], follow: Callable[[Any], Iterable[str]], depth: int
    ) -> Iterator[tuple[str, Any]]:
        """(key, summary) of the functions `refs` name, then of those their summaries'
        `follow(summary)` references name, breadth first, `depth` levels in all."""
        seen: set[str] = set()
        frontier = list(refs)
        for _ in range(depth):
            following: list[str] = []
            for ref in frontier:
                key = self.resolve(ref)
                if key is None or key in seen:
                    continue
                seen.add(key)
                summary = self.summaries[key]
                yield key, summary
                following.extend(follow(summary))
            frontier = following
