"""Which remote calls run behind a circuit breaker.

A call is protected when it sits, lexically, inside a breaker's reach: a
function decorated by a breaker (pybreaker and aiobreaker instances,
`circuitbreaker.circuit`, a `CircuitBreaker` subclass, a purgatory factory), a
`with breaker.calling():` / `with factory.get_breaker(...)` block, a lambda
handed to `breaker.call(...)`, a function that consults a breaker by hand
(`if not breaker.allow_request(): ...`, `breaker.record_failure()`), or a
function of the same module that is only ever invoked from protected places
(passed to `breaker.call(fn, ...)`, called from a decorated function). Breakers
defined in another module, and hand-written breaker classes, are recognised by
their names (`payments_breaker`, `BREAKERS["flights"]`, `@with_breaker(...)`,
`class CircuitBreaker:`).
"""

from __future__ import annotations

import ast
import re
from functools import cached_property

from stormproof.check.analysis import kit
from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode
from stormproof.check.context import FileContext

# Constructors whose instances are breakers (or breaker factories).
_BREAKER_CLASSES = frozenset(
    {
        "pybreaker.CircuitBreaker",
        "aiobreaker.CircuitBreaker",
        "circuitbreaker.CircuitBreaker",
        "purgatory.AsyncCircuitBreakerFactory",
        "purgatory.SyncCircuitBreakerFactory",
    }
)
# Decorators that are breakers by themselves.
_BREAKER_DECORATORS = frozenset({"circuitbreaker.circuit"})
# Methods of a breaker that return a context manager guarding the block.
_GUARD_METHODS = frozenset({"calling", "get_breaker", "context"})
# Methods of a breaker that run the function they are given.
_RUN_METHODS = frozenset({"call", "call_async"})
_BREAKER_NAME = re.compile(r"breaker|circuit", re.IGNORECASE)


class BreakerMap:
    """Answers "does a breaker guard this node?" for one file."""

    def __init__(self, ctx: FileContext) -> None:
        self._ctx = ctx
        self._local_breaker_classes = self._breaker_subclasses(ctx.tree)
        self._function_protection: dict[FunctionNode, bool] = {}
        self._locals: dict[FunctionNode, set[str]] = {}

    def protects(self, call: RemoteCall) -> bool:
        """Whether a breaker guards `call` (for a wrapper call site: the site or the wrapper)."""
        if kit.has_breaker(call.request.client):
            return True
        if self.guards(call.node):
            return True
        return call.inner is not None and self.guards(call.inner.node)

    def guards(self, node: ast.AST) -> bool:
        """Whether `node` runs inside a breaker's reach."""
        return self._guarded(node, visiting=set())

    # -- what is a breaker ----------------------------------------------------------------

    def is_breaker(self, expr: ast.expr, at: ast.AST) -> bool:
        """Whether `expr` evaluates to a breaker, a breaker factory or a breaker decorator."""
        if isinstance(expr, ast.Await):
            expr = expr.value
        qualname = self._ctx.qualname(expr)
        if qualname is not None and (
            qualname in _BREAKER_DECORATORS or _BREAKER_NAME.search(qualname.rsplit(".", 1)[-1])
        ):
            return True
        if isinstance(expr, ast.Call):
            # @circuit(...), @DownstreamBreaker(), @with_breaker("payments"), @factory("name")
            return self._builds_breaker(expr) or self.is_breaker(expr.func, at)
        instance = self._ctx.instances.resolve(expr, at)
        if instance is not None and self._is_breaker_class(instance.qualname):
            return True
        return bool(_BREAKER_NAME.search(_terminal_name(expr)))

    def _builds_breaker(self, call: ast.Call) -> bool:
        instance = self._ctx.instances.instance_of_call(call)
        return instance is not None and self._is_breaker_class(instance.qualname)

    def _is_breaker_class(self, qualname: str) -> bool:
        """A breaker library class, a subclass of one, or a class named as a breaker
        (the hand-written `class CircuitBreaker:` generated code often carries)."""
        name = qualname.rsplit(".", 1)[-1]
        return (
            qualname in _BREAKER_CLASSES
            or name in self._local_breaker_classes
            or bool(_BREAKER_NAME.search(name))
        )

    def _breaker_subclasses(self, tree: ast.Module) -> set[str]:
        """Classes of this module that derive, directly or not, from a breaker class."""
        found: set[str] = set()
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        changed = True
        while changed:
            changed = False
            for cls in classes:
                if cls.name in found:
                    continue
                for base in cls.bases:
                    name = self._ctx.qualname(base) or _terminal_name(base)
                    if name in _BREAKER_CLASSES or _terminal_name(base) in found:
                        found.add(cls.name)
                        changed = True
                        break
        return found

    def _is_guard(self, expr: ast.expr, at: ast.AST) -> bool:
        """A with-item that guards its block: `breaker`, `breaker.calling()`,
        `await factory.get_breaker("x")`, `get_breaker("payments")`."""
        if isinstance(expr, ast.Await):
            expr = expr.value
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in _GUARD_METHODS
        ):
            return expr.func.attr == "get_breaker" or self.is_breaker(expr.func.value, at)
        return self.is_breaker(expr, at)

    def _is_run_through_breaker(self, call: ast.AST, at: ast.AST) -> bool:
        """`breaker.call(...)` / `breaker.call_async(...)`."""
        return (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in _RUN_METHODS
            and self.is_breaker(call.func.value, at)
        )

    # -- where a node runs ----------------------------------------------------------------

    def _guarded(self, node: ast.AST, visiting: set[FunctionNode]) -> bool:
        child = node
        for ancestor in self._ctx.scopes.ancestors(node):
            if isinstance(ancestor, ast.With | ast.AsyncWith) and child in ancestor.body:
                if any(self._is_guard(item.context_expr, ancestor) for item in ancestor.items):
                    return True
            elif isinstance(ancestor, ast.Lambda):
                parent = self._ctx.scopes.parent.get(ancestor)
                if parent is not None and self._is_run_through_breaker(parent, ancestor):
                    return True
            elif isinstance(ancestor, FUNCTION_TYPES) and self._function_guarded(
                ancestor, visiting
            ):
                return True
            child = ancestor
        return False

    def _function_guarded(self, function: FunctionNode, visiting: set[FunctionNode]) -> bool:
        known = self._function_protection.get(function)
        if known is not None:
            return known
        if function in visiting:
            return False  # recursion: not proven
        visiting.add(function)
        guarded = (
            any(self.is_breaker(d, function) for d in function.decorator_list)
            or self._consults_breaker(function)
            or self._only_invoked_guarded(function, visiting)
        )
        visiting.discard(function)
        self._function_protection[function] = guarded
        return guarded

    def _consults_breaker(self, function: FunctionNode) -> bool:
        """Hand-rolled use: `if not breaker.allow_request(): …`, `breaker.record_failure()`."""
        for node in self._ctx.walk(function):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Load)
                # these guard a block or a callee, not the whole function
                and node.attr not in _RUN_METHODS | _GUARD_METHODS
                and self._ctx.qualname(node.value) not in self._ctx.imports.modules
                and self.is_breaker(node.value, node)
            ):
                return True
        return False

    def _only_invoked_guarded(self, function: FunctionNode, visiting: set[FunctionNode]) -> bool:
        """Every use of the function in this module runs it behind a breaker."""
        references = self._references.get(_function_key(function, self._ctx), [])
        if not references:
            return False
        for reference in references:
            parent = self._ctx.scopes.parent.get(reference)
            if isinstance(parent, ast.Call) and parent.func is reference:
                if not self._guarded(parent, visiting):
                    return False
            elif not (
                isinstance(parent, ast.Call)
                and reference in parent.args
                and self._is_run_through_breaker(parent, reference)
            ):
                return False
        return True

    @cached_property
    def _references(self) -> dict[tuple[object, str], list[ast.expr]]:
        """Uses of module functions (`fn`) and of methods through `self.fn`, keyed like defs."""
        function_names = {f.name for f in self._ctx.functions}
        references: dict[tuple[object, str], list[ast.expr]] = {}
        for node in self._ctx.nodes(ast.Name):
            assert isinstance(node, ast.Name)
            # Only a function's own name can refer to it; most names are something else.
            if (
                node.id in function_names
                and isinstance(node.ctx, ast.Load)
                and not self._bound_locally(node)
            ):
                references.setdefault(("", node.id), []).append(node)
        for node in self._ctx.nodes(ast.Attribute):
            assert isinstance(node, ast.Attribute)
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                owner = self._ctx.scopes.cls(node)
                references.setdefault((owner, node.attr), []).append(node)
        return references

    def _bound_locally(self, name: ast.Name) -> bool:
        """Whether `name` is a parameter or local variable of the function it is used in."""
        function = self._ctx.scopes.function(name)
        if function is None:
            return False
        bound = self._locals.get(function)
        if bound is None:
            bound = _local_names(self._ctx, function)
            self._locals[function] = bound
        return name.id in bound


def _local_names(ctx: FileContext, function: FunctionNode) -> set[str]:
    args = function.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    for node in ctx.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _function_key(function: FunctionNode, ctx: FileContext) -> tuple[object, str]:
    owner = ctx.scopes.parent.get(function)
    return (owner if isinstance(owner, ast.ClassDef) else "", function.name)


def _terminal_name(expr: ast.expr) -> str:
    """The name an expression ends in: `x`, `a.b.x`, `X["k"]` → `X`, `f(...)` → `f`."""
    while isinstance(expr, ast.Subscript | ast.Call):
        expr = expr.value if isinstance(expr, ast.Subscript) else expr.func
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return ""
