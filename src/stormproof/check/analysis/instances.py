"""Which variables hold which objects: `client = httpx.AsyncClient()` and friends.

Clients live in locals, on `self`, in module globals, in `with` targets, in
annotated parameters (`client: httpx.AsyncClient = Depends(...)`) and on
attribute chains such as `app.state.http`. Resolution is flow-insensitive per
scope, which fits generated service code: a name is bound to one client.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from stormproof.check.analysis import kit
from stormproof.check.analysis.imports import ImportMap
from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode, Scopes

# Factory functions that return an instance of a known class.
_FACTORIES = {
    "requests.session": "requests.Session",
    "redis.from_url": "redis.Redis",
    "redis.Redis.from_url": "redis.Redis",
    "redis.asyncio.from_url": "redis.asyncio.Redis",
    "redis.asyncio.Redis.from_url": "redis.asyncio.Redis",
    "aioredis.from_url": "aioredis.Redis",
    "grpc.insecure_channel": "grpc.Channel",
    "grpc.secure_channel": "grpc.Channel",
    "grpc.aio.insecure_channel": "grpc.aio.Channel",
    "grpc.aio.secure_channel": "grpc.aio.Channel",
}


@dataclass(frozen=True, slots=True)
class Instance:
    """An object of class `qualname`, built by `ctor` when that call is known."""

    qualname: str
    ctor: ast.Call | None


class Instances:
    def __init__(
        self,
        tree: ast.Module,
        imports: ImportMap,
        scopes: Scopes,
        linked: dict[str, str] | None = None,
    ) -> None:
        self._imports = imports
        self._scopes = scopes
        # Clients defined in other modules of the project: imported qualname → class.
        self._linked = linked or {}
        self._local_classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        self._local_factories = self._factories(tree)
        self._type_aliases = {
            node.targets[0].id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Subscript)
        }
        self._bindings: dict[tuple[object, str], Instance] = {}
        for node in scopes.nodes(
            ast.Assign,
            ast.AnnAssign,
            ast.With,
            ast.AsyncWith,
            ast.FunctionDef,
            ast.AsyncFunctionDef,
        ):
            self._bind(node)

    # -- building -----------------------------------------------------------------

    def _factories(self, tree: ast.Module) -> dict[str, ast.Return]:
        """Module functions returning a client they build (`return X()`, `s = X(); return s`)."""
        found: dict[str, ast.Return] = {}
        for node in tree.body:
            if not isinstance(node, FUNCTION_TYPES):
                continue
            for ret in self._scopes.walk(node):
                if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Call | ast.Name):
                    found[node.name] = ret
                    break
        return found

    def instance_of_call(self, call: ast.Call) -> Instance | None:
        """The instance a call expression evaluates to, when it builds a known object."""
        name = self._imports.qualname(call.func)
        if name is not None:
            return Instance(kit.canonical(_FACTORIES.get(name, name)), call)
        if isinstance(call.func, ast.Name):
            if call.func.id in self._local_classes:
                return Instance(f"local.{call.func.id}", call)
            returned = self._local_factories.get(call.func.id)
            if returned is not None and returned.value is not call:
                if isinstance(returned.value, ast.Call):
                    return self.instance_of_call(returned.value)
                if isinstance(returned.value, ast.Name):
                    return self._bindings.get((self._scopes.function(returned), returned.value.id))
        return None

    def _bind(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            value = node.value
            if isinstance(value, ast.Await):
                value = value.value
            instance = self._value_instance(value, node) if value is not None else None
            if instance is None and isinstance(node, ast.AnnAssign):
                instance = self._annotation_instance(node.annotation)
            if instance is None:
                return
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                self._bind_target(target, node, instance)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and item.optional_vars is not None:
                    instance = self.instance_of_call(expr)
                    if instance is not None:
                        self._bind_target(item.optional_vars, node, instance)
        elif isinstance(node, FUNCTION_TYPES):
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                if arg.annotation is not None:
                    instance = self._annotation_instance(arg.annotation)
                    if instance is not None:
                        self._bindings[(node, arg.arg)] = instance

    def _value_instance(self, value: ast.expr, at: ast.AST) -> Instance | None:
        if isinstance(value, ast.Call):
            return self.instance_of_call(value)
        if isinstance(value, ast.Name | ast.Attribute):
            # `self.client = client` where `client` is a known instance.
            return self.resolve(value, at)
        return None

    def _annotation_instance(self, annotation: ast.expr) -> Instance | None:
        if isinstance(annotation, ast.Name) and annotation.id in self._type_aliases:
            # Http = Annotated[httpx.AsyncClient, Depends(get_client)]; def f(client: Http)
            annotation = self._type_aliases[annotation.id]
        if isinstance(annotation, ast.Subscript):  # Optional[httpx.Client], Annotated[...]
            inner = annotation.slice
            annotation = inner.elts[0] if isinstance(inner, ast.Tuple) else inner
        if isinstance(annotation, ast.BinOp):  # httpx.Client | None
            annotation = annotation.left
        name = self._imports.qualname(annotation)
        return Instance(name, None) if name is not None else None

    def _bind_target(self, target: ast.expr, at: ast.AST, instance: Instance) -> None:
        if isinstance(target, ast.Name):
            self._bindings[(self._scopes.binding_scope(target.id, at) or "", target.id)] = instance
        elif isinstance(target, ast.Attribute):
            if isinstance(target.value, ast.Name) and target.value.id in ("self", "cls"):
                owner = self._scopes.cls(at)
                self._bindings[(owner, "self." + target.attr)] = instance
            else:
                self._bindings[("attr", _dotted_tail(target))] = instance
        elif isinstance(target, ast.Subscript):
            key = _item_key(target)
            if key is not None:
                self._bindings[("item", key)] = instance
        # A class-level `client = httpx.Client()` is reachable as `self.client`.
        if isinstance(target, ast.Name) and isinstance(self._scopes.parent.get(at), ast.ClassDef):
            self._bindings[(self._scopes.parent[at], "self." + target.id)] = instance

    def module_exports(self, is_client: Callable[[str], bool]) -> dict[str, str]:
        """Module-level names bound to clients (`http = httpx.AsyncClient()`): name → class."""
        return {
            name: instance.qualname
            for (scope, name), instance in self._bindings.items()
            if scope == "" and is_client(instance.qualname)
        }

    # -- lookup ---------------------------------------------------------------------

    def _imported(self, expr: ast.expr) -> Instance | None:
        if not self._linked:
            return None
        cls = self._linked.get(self._imports.qualname(expr) or "")
        return Instance(cls, None) if cls is not None else None

    def resolve(self, expr: ast.expr, at: ast.AST) -> Instance | None:
        """The instance `expr` holds at `at`, looked up local scope first, then module."""
        if isinstance(expr, ast.Await):
            expr = expr.value
        if isinstance(expr, ast.Call):
            return self.instance_of_call(expr)
        if isinstance(expr, ast.Name):
            function: FunctionNode | None = self._scopes.function(at)
            while function is not None:
                found = self._bindings.get((function, expr.id))
                if found is not None:
                    return found
                function = self._scopes.function(function)
            return self._bindings.get(("", expr.id)) or self._imported(expr)
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls"):
                found = self._bindings.get((self._scopes.cls(at), "self." + expr.attr))
                if found is not None:
                    return found
            return self._bindings.get(("attr", _dotted_tail(expr))) or self._imported(expr)
        if isinstance(expr, ast.Subscript):
            key = _item_key(expr)
            return self._bindings.get(("item", key)) if key is not None else None
        return None


def _dotted_tail(node: ast.Attribute) -> str:
    """The last two parts of an attribute chain: `request.app.state.http` → `state.http`."""
    value = node.value
    head = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", "?")
    return f"{head}.{node.attr}"


def _item_key(node: ast.Subscript) -> str | None:
    """`clients["payments"]` → `clients["payments"]` (a constant key on a named container)."""
    key = node.slice
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str | int)):
        return None
    container = node.value
    if isinstance(container, ast.Attribute):
        name = _dotted_tail(container)
    elif isinstance(container, ast.Name):
        name = container.id
    else:
        return None
    return f"{name}[{key.value!r}]"
