"""HTTP route handlers, and the method, path and service an outgoing request is sent to.

Routes: FastAPI/Starlette/Flask decorators (`@app.post(path)`, `@router.get`, `@bp.route(path,
methods=[...])`, `@app.api_route`), `add_api_route`/`add_url_rule` (Flask `MethodView`
classes through `view_func=View.as_view(...)`), and Starlette `Route(path, endpoint,
methods=[...])` lists (`HTTPEndpoint` classes too). A router's own prefix
(`APIRouter(prefix=)`, `Blueprint(url_prefix=)`) is part of the route; where it is mounted
(`include_router(r, prefix=)`, `register_blueprint(bp, url_prefix=)`) is a separate fact
(`mounts`), because that often happens in another file; `full_routes` joins the two.

Requests: `request_path` and `request_target` read a remote call's URL, so that rules can
match a call to a route or to a saga step (`routes_match`).

    route_handlers(ctx) -> list[Handler]
    mounts(ctx) -> list[Mount]
    full_routes(handler_route, mounts) -> list[str]
    join_route(*parts) / route_segments(path) / routes_match(a, b)
    request_target(ctx, call) -> str | None
    request_path(ctx, call) -> str | None
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from stormproof.check.analysis.modules import module_name, same_object
from stormproof.check.analysis.remote_calls import HTTP_METHODS, RemoteCall
from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode
from stormproof.check.analysis.syntax import keyword, keyword_str, string_arg, terminal_name
from stormproof.check.context import FileContext

_WEB_FRAMEWORKS = ("fastapi", "flask", "starlette")
_ROUTE_DECORATORS = frozenset({"route", "api_route"})
_ROUTE_REGISTRARS = frozenset({"add_api_route", "add_url_rule"})
_STARLETTE_ROUTES = frozenset({"starlette.routing.Route", "fastapi.routing.APIRoute"})
_STARLETTE_MOUNTS = frozenset({"starlette.routing.Mount"})
_MOUNTERS = {"include_router": "prefix", "register_blueprint": "url_prefix"}
_OWN_PREFIX = {
    "fastapi.APIRouter": "prefix",
    "fastapi.routing.APIRouter": "prefix",
    "flask.Blueprint": "url_prefix",
    "flask.blueprints.Blueprint": "url_prefix",
}
_MAX_MOUNT_DEPTH = 3
_MAX_URL_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Handler:
    """One route: `method path` served by `function`."""

    method: str
    route: str  # as written in the decorator or registration
    own_prefix: str  # the router's own prefix (`APIRouter(prefix=)`, `Blueprint(url_prefix=)`)
    function: FunctionNode
    framework: str  # fastapi | flask | starlette
    # The router or blueprint it is declared on ("pkg.module.router"), for mount prefixes.
    router: str | None

    @property
    def path(self) -> str:
        """The route with the router's own prefix (what it serves when mounted bare)."""
        return join_route(self.own_prefix, self.route)

    @property
    def replaces_own_prefix(self) -> bool:
        """Flask's `register_blueprint(url_prefix=)` replaces the blueprint's own prefix."""
        return self.framework == "flask"


@dataclass(frozen=True, slots=True)
class Mount:
    """`parent.include_router(child, prefix=...)` (or `register_blueprint`)."""

    parent: str | None
    child: str
    prefix: str


@dataclass(frozen=True, slots=True)
class HandlerRoute:
    """What `full_routes` needs of a handler (a `Handler`, or one read back from facts)."""

    route: str
    own_prefix: str
    router: str | None
    replaces_own_prefix: bool


# -- routes --------------------------------------------------------------------------------


def route_handlers(ctx: FileContext) -> list[Handler]:
    """Every route handler declared in the file."""
    if not any(ctx.imports.imports(f) for f in _WEB_FRAMEWORKS):
        return []
    return _Routes(ctx).handlers


def mounts(ctx: FileContext) -> list[Mount]:
    """Every `include_router`/`register_blueprint` with a prefix in the file."""
    found = []
    for node in ctx.nodes(ast.Call):
        assert isinstance(node, ast.Call)
        if isinstance(node.func, ast.Attribute) and node.func.attr in _MOUNTERS and node.args:
            prefix = keyword_str(node, _MOUNTERS[node.func.attr])
            child = _object_key(ctx, node.args[0])
            if prefix is not None and child is not None:
                found.append(Mount(_object_key(ctx, node.func.value), child, prefix))
    return found


def full_routes(handler: HandlerRoute | Handler, service_mounts: Sequence[Mount]) -> list[str]:
    """The handler's routes once its router's mounts (`include_router(prefix=)`) are applied."""
    router, own, route = handler.router, handler.own_prefix, handler.route
    prefixes = _mount_prefixes(router, service_mounts, 0) if router is not None else [""]
    if prefixes == [""]:
        return [join_route(own, route)]
    kept = "" if handler.replaces_own_prefix else own
    return [join_route(prefix, kept, route) for prefix in prefixes]


def _mount_prefixes(key: str, service_mounts: Sequence[Mount], depth: int) -> list[str]:
    found = []
    for mount in service_mounts:
        if same_object(mount.child, key) and depth < _MAX_MOUNT_DEPTH:
            parent = mount.parent
            parents = _mount_prefixes(parent, service_mounts, depth + 1) if parent else [""]
            found.extend(p + mount.prefix for p in parents)
    return found or [""]


class _Routes:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.functions = {n.name: n for n in ctx.functions}
        self.classes = {n.name: n for n in ctx.nodes(ast.ClassDef)}  # type: ignore[attr-defined]
        self.framework = next(f for f in _WEB_FRAMEWORKS if ctx.imports.imports(f))
        self.handlers: list[Handler] = []
        for node in ctx.nodes(*FUNCTION_TYPES, ast.Call):
            if isinstance(node, FUNCTION_TYPES):
                for decorator in node.decorator_list:
                    self._decorator(node, decorator)
            else:
                self._registration(node)  # type: ignore[arg-type]

    def _decorator(self, function: FunctionNode, decorator: ast.expr) -> None:
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            return
        verb = decorator.func.attr
        path = string_arg(decorator, 0, "path") or string_arg(decorator, 0, "rule")
        if path is None:
            return
        if verb in HTTP_METHODS:
            methods = [verb.upper()]
        elif verb in _ROUTE_DECORATORS:
            methods = _methods(decorator) or ["GET"]
        else:
            return
        self._add(methods, path, function, decorator.func.value)

    def _registration(self, call: ast.Call) -> None:
        func = call.func
        qualname = self.ctx.qualname(func)
        if qualname in _STARLETTE_ROUTES:
            if not self._inside_mount(call):
                self._starlette_route(call, prefix="")
        elif qualname in _STARLETTE_MOUNTS:
            prefix = string_arg(call, 0, "path") or ""
            routes = keyword(call, "routes")
            for route in routes.elts if isinstance(routes, ast.List) else []:
                if isinstance(route, ast.Call) and self.ctx.qualname(route.func) in (
                    _STARLETTE_ROUTES
                ):
                    self._starlette_route(route, prefix=prefix)
        elif isinstance(func, ast.Attribute) and func.attr in _ROUTE_REGISTRARS:
            path = string_arg(call, 0, "path") or string_arg(call, 0, "rule")
            view = keyword(call, "view_func") or keyword(call, "endpoint")
            if view is None and func.attr == "add_api_route" and len(call.args) > 1:
                view = call.args[1]
            if path is not None and view is not None:
                self._view(path, view, _methods(call), func.value)

    def _inside_mount(self, call: ast.Call) -> bool:
        """A `Route` listed in a `Mount(prefix, routes=[...])`, which registers it."""
        return any(
            isinstance(a, ast.Call) and self.ctx.qualname(a.func) in _STARLETTE_MOUNTS
            for a in self.ctx.scopes.ancestors(call)
        )

    def _starlette_route(self, call: ast.Call, prefix: str) -> None:
        path = string_arg(call, 0, "path")
        endpoint = call.args[1] if len(call.args) > 1 else keyword(call, "endpoint")
        if path is not None and endpoint is not None:
            self._view(prefix + path, endpoint, _methods(call), None)

    def _view(self, path: str, view: ast.expr, methods: list[str], owner: ast.expr | None) -> None:
        """A function endpoint, or a class (MethodView/HTTPEndpoint) whose methods are verbs."""
        if isinstance(view, ast.Call) and isinstance(view.func, ast.Attribute):
            view = view.func.value  # View.as_view("name")
        name = view.id if isinstance(view, ast.Name) else None
        if name in self.classes:
            for item in self.classes[name].body:
                if isinstance(item, FUNCTION_TYPES) and item.name in HTTP_METHODS:
                    self._add([item.name.upper()], path, item, None)
        elif name in self.functions:
            self._add(methods or ["GET"], path, self.functions[name], owner)

    def _add(
        self, methods: list[str], path: str, function: FunctionNode, owner: ast.expr | None
    ) -> None:
        own_prefix = ""
        router = None
        if owner is not None:
            router = _object_key(self.ctx, owner)
            instance = self.ctx.instances.resolve(owner, function)
            if instance is not None and instance.ctor is not None:
                own_prefix = keyword_str(instance.ctor, _OWN_PREFIX.get(instance.qualname, ""))
                own_prefix = own_prefix or ""
        for method in methods:
            self.handlers.append(
                Handler(method, path, own_prefix, function, self.framework, router)
            )


def _object_key(ctx: FileContext, expr: ast.expr) -> str | None:
    """A dotted name for a router object, comparable across files (see `same_object`)."""
    qualname = ctx.qualname(expr)
    if qualname is not None:
        return qualname
    if isinstance(expr, ast.Name):
        return f"{module_name(ctx)}.{expr.id}"
    return None


def _methods(call: ast.Call) -> list[str]:
    value = keyword(call, "methods")
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        return [
            e.value.upper()
            for e in value.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    return []


# -- paths ---------------------------------------------------------------------------------

_PARAMETER = re.compile(r"^(\{[^}]*\}|<[^>]*>)$")


def join_route(*parts: str) -> str:
    """Prefixes and a route joined into one path: `join_route("/charges", "/")` → `/charges`."""
    segments = [s for part in parts for s in part.split("/") if s]
    return "/" + "/".join(segments)


def route_segments(path: str) -> list[str]:
    """`/reservations/{id}/` → ["reservations", "*"] (any path parameter is "*")."""
    return ["*" if _PARAMETER.match(s) else s for s in path.split("?")[0].split("/") if s]


def routes_match(a: str, b: str) -> bool:
    """Whether two routes can be the same endpoint (parameters match anything)."""
    left, right = route_segments(a), route_segments(b)
    return len(left) == len(right) and all(
        x == y or "*" in (x, y) for x, y in zip(left, right, strict=True)
    )


# -- requests --------------------------------------------------------------------------------


def request_target(ctx: FileContext, call: RemoteCall) -> str | None:
    """The call's target service, or a guess from the name its URL is read from.

    `settings.inventory_service_url`, `PAYMENT_API` or an env var `INVENTORY_SERVICE_URL`
    name a manifest service without being its configured env var; rules that also match
    the method and path of a saga step or a route can rely on such a guess.
    """
    if call.target is not None or ctx.manifest is None:
        return call.target
    for name in _url_names(ctx, call):
        words = set(re.split(r"[^a-z0-9]+", name.lower()))
        if not words & _URL_WORDS:
            continue
        named = [
            service
            for service in ctx.manifest.services
            if service.replace("-", "_") in words or service.removesuffix("s") in words
        ]
        if len(named) == 1:
            return named[0]
    return None


_URL_WORDS = frozenset({"url", "uri", "api", "host", "endpoint", "addr", "address", "base"})


def _url_names(ctx: FileContext, call: RemoteCall) -> Iterator[str]:
    """The env var and the variable or field names a call's base URL comes from."""
    if call.target_env is not None:
        yield call.target_env
    url = call.url
    relative = isinstance(url, ast.Constant) and "://" not in str(url.value)
    if (url is None or relative) and call.client is not None and call.client.ctor is not None:
        url = keyword(call.client.ctor, "base_url")
    if url is None:
        return
    base = ctx.values.url_base(url)
    yield terminal_name(base)
    if isinstance(base, ast.Name | ast.Attribute):
        assigned = ctx.values.assigned(base, call.node)
        if assigned is not None:
            yield terminal_name(ctx.values.url_base(assigned))


def request_path(ctx: FileContext, call: RemoteCall) -> str | None:
    """The path part of a call's URL (`f"{BASE}/charges/{id}"` → `/charges/{}`), when readable."""
    if call.url is None:
        return None
    return _path_of(ctx, call.url, call.node, 0)


def _path_of(ctx: FileContext, expr: ast.expr, at: ast.AST, depth: int) -> str | None:
    if depth > _MAX_URL_DEPTH:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return _literal_path(expr.value)
    if isinstance(expr, ast.JoinedStr):
        parts = expr.values
        head = parts[0] if parts else None
        if isinstance(head, ast.Constant) and "://" in str(head.value):
            return _literal_path(_template(parts))
        return _relative_part(_template(parts[1:])) if parts else None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left = _path_of(ctx, expr.left, at, depth + 1)
        right = _tail_text(expr.right)
        if right is None:
            return None
        return (left or "") + right if left is not None else _relative_part(right)
    if isinstance(expr, ast.Name):
        value = ctx.values.assigned(expr, at)
        return _path_of(ctx, value, at, depth + 1) if value is not None else None
    return None


def _template(parts: list[ast.expr]) -> str:
    return "".join(
        p.value if isinstance(p, ast.Constant) and isinstance(p.value, str) else "{}" for p in parts
    )


def _tail_text(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr):
        return _template(expr.values)
    return "{}" if isinstance(expr, ast.Name | ast.Attribute | ast.Call) else None


def _literal_path(text: str) -> str | None:
    if "://" in text:
        return urlsplit(text.replace("{}", "_")).path.replace("_", "{}") or "/"
    return text if text.startswith("/") else None


def _relative_part(text: str) -> str | None:
    return text if text.startswith("/") else None
