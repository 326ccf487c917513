"""HTTP route handlers, the effects code applies, and whether it honours an idempotency key.

Routes: FastAPI/Starlette/Flask decorators (`@app.post(path)`, `@router.get`, `@bp.route(path,
methods=[...])`, `@app.api_route`), `add_api_route`/`add_url_rule` (Flask `MethodView`
classes through `view_func=View.as_view(...)`), and Starlette `Route(path, endpoint,
methods=[...])` lists (`HTTPEndpoint` classes too). A router's own prefix
(`APIRouter(prefix=)`, `Blueprint(url_prefix=)`) is part of the route; where it is mounted
(`include_router(r, prefix=)`, `register_blueprint(bp, url_prefix=)`) is a separate fact,
because that often happens in another file.

Effects are what a replayed request or message repeats: INSERTs, UPDATEs that add to a
column, ORM `add`, redis counters and appends, MongoDB inserts and `$inc` updates,
POST/PATCH calls to other services that carry no idempotency key. Writes
that are idempotent by construction (DELETE, absolute UPDATE/SET, upserts) are not effects.
A guard makes a replay harmless: an upsert, `SET NX`, a rowcount or membership check, a
lookup of the key in a processed-ids store, a unique-constraint violation caught, a lookup
that returns what the first request stored. SQL text is read with `datastores.sql_statement`.

Calls are followed into this module's functions here, and into other modules' through
exported summaries (`EffectScan.summaries`, `function_ref`, `CallTargets`) in a rule's
project pass. Request paths and targets (`request_path`, `request_target`) let rules match
a call to a route or a saga step.
"""

from __future__ import annotations

import ast
import re
import sys
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from stormproof.check.analysis.datastores import SqlStatement, sql_statement
from stormproof.check.analysis.idempotency_keys import (
    KEY_HEADERS,
    carries_idempotency_key,
    is_key_field,
)
from stormproof.check.analysis.remote_calls import HTTP_METHODS, RemoteCall
from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode
from stormproof.check.context import FileContext
from stormproof.check.prefilter import LIBRARIES

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
_MAX_CALL_DEPTH = 3


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


def module_name(ctx: FileContext) -> str:
    """`payments/routers/charges.py` → `payments.routers.charges`."""
    parts = ctx.relpath.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(p for p in parts if p not in ("", ".", ".."))


def same_object(a: str, b: str) -> bool:
    """Whether two dotted names (one maybe relative or shorter) can name the same object."""
    left = [p for p in a.split(".") if p]
    right = [p for p in b.split(".") if p]
    shorter, longer = sorted((left, right), key=len)
    return bool(shorter) and longer[-len(shorter) :] == shorter


# -- routes --------------------------------------------------------------------------------


def route_handlers(ctx: FileContext) -> list[Handler]:
    """Every route handler declared in the file."""
    if not any(ctx.imports.imports(f) for f in _WEB_FRAMEWORKS):
        return []
    return _Routes(ctx).handlers


def mounts(ctx: FileContext) -> list[Mount]:
    """Every `include_router`/`register_blueprint` with a prefix in the file."""
    found = []
    for node in ctx.nodes():
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MOUNTERS
            and node.args
        ):
            prefix = _keyword_str(node, _MOUNTERS[node.func.attr])
            child = _object_key(ctx, node.args[0])
            if prefix is not None and child is not None:
                found.append(Mount(_object_key(ctx, node.func.value), child, prefix))
    return found


class _Routes:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.functions = {n.name: n for n in ctx.functions}
        self.classes = {n.name: n for n in ctx.nodes() if isinstance(n, ast.ClassDef)}
        self.framework = next(f for f in _WEB_FRAMEWORKS if ctx.imports.imports(f))
        self.handlers: list[Handler] = []
        for node in ctx.nodes():
            if isinstance(node, FUNCTION_TYPES):
                for decorator in node.decorator_list:
                    self._decorator(node, decorator)
            elif isinstance(node, ast.Call):
                self._registration(node)

    def _decorator(self, function: FunctionNode, decorator: ast.expr) -> None:
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            return
        verb = decorator.func.attr
        path = _string_arg(decorator, 0, "path") or _string_arg(decorator, 0, "rule")
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
            prefix = _string_arg(call, 0, "path") or ""
            routes = _keyword(call, "routes")
            for route in routes.elts if isinstance(routes, ast.List) else []:
                if isinstance(route, ast.Call) and self.ctx.qualname(route.func) in (
                    _STARLETTE_ROUTES
                ):
                    self._starlette_route(route, prefix=prefix)
        elif isinstance(func, ast.Attribute) and func.attr in _ROUTE_REGISTRARS:
            path = _string_arg(call, 0, "path") or _string_arg(call, 0, "rule")
            view = _keyword(call, "view_func") or _keyword(call, "endpoint")
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
        path = _string_arg(call, 0, "path")
        endpoint = call.args[1] if len(call.args) > 1 else _keyword(call, "endpoint")
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
                own_prefix = _keyword_str(instance.ctor, _OWN_PREFIX.get(instance.qualname, ""))
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
    value = _keyword(call, "methods")
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        return [
            e.value.upper()
            for e in value.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    return []


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _keyword_str(call: ast.Call, name: str) -> str | None:
    value = _keyword(call, name)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _string_arg(call: ast.Call, index: int, name: str) -> str | None:
    value = call.args[index] if len(call.args) > index else _keyword(call, name)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


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
        url = _keyword(call.client.ctor, "base_url")
    if url is None:
        return
    base = ctx.values.url_base(url)
    yield _terminal(base)
    if isinstance(base, ast.Name | ast.Attribute):
        assigned = ctx.values.assigned(base, call.node)
        if assigned is not None:
            yield _terminal(ctx.values.url_base(assigned))


def request_path(ctx: FileContext, call: RemoteCall) -> str | None:
    """The path part of a call's URL (`f"{BASE}/charges/{id}"` → `/charges/{}`), when readable."""
    if call.url is None:
        return None
    return _path_of(ctx, call.url, call.node, 0)


def _path_of(ctx: FileContext, expr: ast.expr, at: ast.AST, depth: int) -> str | None:
    if depth > _MAX_CALL_DEPTH:
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


# -- effects and guards -----------------------------------------------------------------------

_EXECUTE_METHODS = frozenset(
    {"execute", "executemany", "executescript", "exec_driver_sql", "fetchval", "fetchrow", "fetch"}
)
_ACCUMULATING_REDIS = frozenset(
    {
        "incr",
        "incrby",
        "incrbyfloat",
        "decr",
        "decrby",
        "hincrby",
        "hincrbyfloat",
        "zincrby",
        "lpush",
        "rpush",
        "lpushx",
        "rpushx",
        "linsert",
        "xadd",
        "append",
    }
)
# Reads that fetch one stored record.
_LOOKUPS = frozenset(
    {
        "first",
        "one_or_none",
        "scalar_one_or_none",
        "scalar",
        "fetchone",
        "fetchrow",
        "fetchval",
        "get",
        "find_one",
    }
)
_MONGO_INSERTS = frozenset({"insert_one", "insert_many"})
_MONGO_UPDATES = frozenset({"update_one", "update_many", "find_one_and_update"})
_REDIS_CHECKS = frozenset({"exists", "sismember", "sadd", "setnx", "hsetnx", "hexists"})
_ORM_CREATES = frozenset({"add", "add_all"})
_SESSION_NAMES = re.compile(r"(^|_)(session|db|sess)$", re.IGNORECASE)
_DEDUP_WORDS = re.compile(r"processed|duplicate|dedup|seen|idempot|already|inbox", re.IGNORECASE)
_UPSERT_SQL = re.compile(
    r"\bOR\s+(IGNORE|REPLACE)\b|\bON\s+CONFLICT\b|\bON\s+DUPLICATE\s+KEY\b", re.IGNORECASE
)
_UNIQUE_VIOLATIONS = re.compile(r"IntegrityError|UniqueViolation|DuplicateKey", re.IGNORECASE)
_UPSERT_METHODS = frozenset(
    {"on_conflict_do_nothing", "on_conflict_do_update", "on_duplicate_key_update", "prefix_with"}
)
_NON_IDEMPOTENT_REMOTE = frozenset({"POST", "PATCH"})
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
_IDEMPOTENCY_WORD = "idempot"


@dataclass(frozen=True, slots=True)
class Effect:
    """A write that a replay repeats."""

    node: ast.AST
    label: str  # "INSERT INTO charges", "session.add(...)", "redis DECR", "httpx.post to payments"


def effect_scan(ctx: FileContext) -> EffectScan:
    """The file's `EffectScan`, shared by the rules that ask about it."""
    found = _SCANS.get(ctx)
    if found is None:
        found = _SCANS[ctx] = EffectScan(ctx)
    return found


@dataclass(slots=True)
class _Facts:
    """What one function (or statement) does by itself, found in one walk over it."""

    effects: list[Effect]
    guarded: bool
    key: bool
    refs: set[str]  # calls to functions of other modules (see `function_ref`)
    callees: list[FunctionNode]  # calls to functions of this module


class EffectScan:
    """Effects, guards and key reads of functions, following calls within the file."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self._module_functions = {n.name: n for n in ctx.tree.body if isinstance(n, FUNCTION_TYPES)}
        self._calls_by_node = {c.node: c for c in ctx.remote_calls}
        self._facts: dict[ast.AST, _Facts] = {}

    # -- what runs ---------------------------------------------------------------------------

    def facts(self, root: ast.AST) -> _Facts:
        found = self._facts.get(root)
        if found is not None:
            return found
        nodes = list(self.ctx.walk(root))
        commits = any(
            isinstance(n, ast.Call) and _callee_name(n) in ("commit", "flush") for n in nodes
        )
        found = _Facts([], False, False, set(), [])
        for node in nodes:
            effect = self._effect(node, commits)
            if effect is not None:
                found.effects.append(effect)
            found.guarded = found.guarded or self._is_guard(node)
            found.key = found.key or _mentions_key(node)
            if isinstance(node, ast.Call):
                callee = self.callee(node)
                if callee is not None:
                    found.callees.append(callee)
                elif node not in self._calls_by_node:
                    ref = function_ref(self.ctx, node)
                    if ref is not None:
                        found.refs.add(ref)
        self._facts[root] = found
        return found

    def reach(self, roots: list[ast.AST]) -> list[ast.AST]:
        """`roots` and the same-module functions they call, a few calls deep."""
        seen: dict[ast.AST, None] = {}
        frontier = list(roots)
        for _ in range(_MAX_CALL_DEPTH + 1):
            following: list[ast.AST] = []
            for root in frontier:
                if root not in seen:
                    seen[root] = None
                    following.extend(self.facts(root).callees)
            frontier = following
        return list(seen)

    def callees(self, root: ast.AST) -> list[FunctionNode]:
        """Functions of this module (or methods of the same class) that `root` calls."""
        return self.facts(root).callees

    def callee(self, call: ast.Call) -> FunctionNode | None:
        func = call.func
        if isinstance(func, ast.Name):
            return self._module_functions.get(func.id)
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
        ):
            owner = self.ctx.scopes.cls(call)
            if owner is not None:
                return next(
                    (
                        n
                        for n in owner.body
                        if isinstance(n, FUNCTION_TYPES) and n.name == func.attr
                    ),
                    None,
                )
        return None

    # -- effects -----------------------------------------------------------------------------

    def effects(self, roots: list[ast.AST]) -> list[Effect]:
        return [e for root in self.reach(roots) for e in self.facts(root).effects]

    def direct_effects(self, statements: list[ast.stmt]) -> list[Effect]:
        """Effects written in `statements` themselves (no calls followed)."""
        return [e for statement in statements for e in self.facts(statement).effects]

    def _effect(self, node: ast.AST, commits: bool) -> Effect | None:
        if isinstance(node, ast.AugAssign):
            if (
                commits
                and isinstance(node.target, ast.Attribute)
                and isinstance(node.op, ast.Add | ast.Sub)
            ):
                return Effect(node, f"`{ast.unparse(node.target)} {_op(node.op)}=` then commit")
            return None
        if not isinstance(node, ast.Call):
            return None
        remote = self._calls_by_node.get(node)
        if remote is not None:
            # A request that carries an idempotency key is deduplicated downstream.
            if remote.method in _NON_IDEMPOTENT_REMOTE and not carries_idempotency_key(
                self.ctx, remote
            ):
                return Effect(node, remote.describe())
            return None
        func = node.func
        if not isinstance(func, ast.Attribute):
            return None
        if func.attr in _EXECUTE_METHODS and node.args:
            return self._sql_effect(node)
        if func.attr in _ORM_CREATES and self._is_session(func.value, node):
            return Effect(node, f"{ast.unparse(func.value)}.{func.attr}(...)")
        if func.attr in _ACCUMULATING_REDIS and self._is_redis(func.value, node):
            return Effect(node, f"redis {func.attr.upper()}")
        if func.attr in _MONGO_INSERTS or (func.attr in _MONGO_UPDATES and _increments(node)):
            return Effect(node, f"{ast.unparse(func.value)}.{func.attr}(...)")
        return None

    def _sql_effect(self, call: ast.Call) -> Effect | None:
        statement = sql_statement(self.ctx, call.args[0], call)
        if statement is None:
            query = call.args[0]
            if isinstance(query, ast.Name):  # query = table.insert().values(...)
                query = self.ctx.values.assigned(query, call) or query
            return Effect(call, "an INSERT") if _core_insert(self.ctx, query) else None
        table = statement.tables[0] if statement.tables else "?"
        if statement.verb == "INSERT" and not _is_upsert(statement):
            return Effect(call, f"INSERT INTO {table}")
        if statement.verb == "UPDATE" and (
            any(a.atomic for a in statement.assignments)
            or self._computed_parameter(call.args[1:], call)
        ):
            return Effect(call, f"UPDATE {table} (adds to a column)")
        return None

    def _computed_parameter(self, params: list[ast.expr], at: ast.AST) -> bool:
        """A parameter computed by `+`/`-` from values in hand (`balance - amount`).

        Sums that involve a call (`datetime.now() + ttl`) compute a new value, not a
        changed one, and do not count.
        """
        for param in params:
            for name in self.ctx.walk(param):
                if not isinstance(name, ast.Name):
                    continue
                value = self.ctx.values.assigned(name, at)
                if (
                    isinstance(value, ast.BinOp)
                    and isinstance(value.op, ast.Add | ast.Sub)
                    and not any(self._from_call(side, at) for side in (value.left, value.right))
                ):
                    return True
        return False

    def _from_call(self, expr: ast.expr, at: ast.AST) -> bool:
        if isinstance(expr, ast.Name):
            assigned = self.ctx.values.assigned(expr, at)
            expr = assigned if assigned is not None else expr
        return isinstance(expr, ast.Call | ast.Await)

    def _is_session(self, expr: ast.expr, at: ast.AST) -> bool:
        instance = self.ctx.instances.resolve(expr, at)
        if instance is not None and "Session" in instance.qualname:
            return True
        return bool(_SESSION_NAMES.search(_terminal(expr)))

    def _is_redis(self, expr: ast.expr, at: ast.AST) -> bool:
        instance = self.ctx.instances.resolve(expr, at)
        if instance is not None:
            return "redis" in instance.qualname.lower()
        return "redis" in _terminal(expr).lower()

    # -- guards --------------------------------------------------------------------------------

    def guarded(self, roots: list[ast.AST]) -> bool:
        """Whether a replay is made harmless: an upsert, SET NX, a rowcount or dedup check."""
        return any(self.facts(root).guarded for root in self.reach(roots))

    def _is_guard(self, node: ast.AST) -> bool:
        if isinstance(node, ast.If):
            return self._checks_before_acting(node)
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            # `except IntegrityError:` around an insert: a unique constraint dedups.
            return bool(_UNIQUE_VIOLATIONS.search(ast.unparse(node.type)))
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr in _UPSERT_METHODS:
                return True
            if func.attr in ("set", "setnx", "hsetnx") and (
                func.attr != "set" or _true_keyword(node, "nx")
            ):
                return True
            if func.attr in _EXECUTE_METHODS and node.args:
                statement = sql_statement(self.ctx, node.args[0], node)
                return statement is not None and _is_guard_sql(statement)
        return False

    def _checks_before_acting(self, branch: ast.If) -> bool:
        """`if cur.rowcount == 0: return`, `if msg_id in seen: continue`, `if already_done(…)`."""
        test = branch.test
        leaves = _leaves(branch.body)
        for node in ast.walk(test):
            if isinstance(node, ast.Attribute) and node.attr == "rowcount" and leaves:
                return True
            if isinstance(node, ast.Compare) and leaves and _is_membership(node):
                return True
            if isinstance(node, ast.Call):
                name = _callee_name(node)
                if name in _REDIS_CHECKS or _DEDUP_WORDS.search(ast.unparse(node.func)):
                    return True
        return self._returns_existing(branch)

    def _returns_existing(self, branch: ast.If) -> bool:
        """`existing = db.query(…).first()` then `if existing: return existing`: a repeat
        finds what the first request stored (not `if row is None: raise`, which checks
        that a resource exists)."""
        test = branch.test
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            if not (isinstance(test.ops[0], ast.IsNot) and _is_none(test.comparators[0])):
                return False
            test = test.left
        if not isinstance(test, ast.Name) or not any(
            isinstance(n, ast.Return | ast.Continue) for s in branch.body for n in self.ctx.walk(s)
        ):
            return False
        value = self.ctx.values.assigned(test, branch)
        return value is not None and any(
            isinstance(n, ast.Call) and _callee_name(n) in _LOOKUPS for n in self.ctx.walk(value)
        )

    # -- idempotency keys -----------------------------------------------------------------------

    def reads_key(self, roots: list[ast.AST]) -> bool:
        """Whether the code reads an idempotency key: a header, a parameter or a body field."""
        return any(self.facts(root).key for root in self.reach(roots))

    # -- other modules ---------------------------------------------------------------------------

    def external_calls(self, roots: list[ast.AST]) -> list[str]:
        """References (see `function_ref`) to this project's functions in other modules."""
        return sorted({ref for root in self.reach(roots) for ref in self.facts(root).refs})

    @cached_property
    def summaries(self) -> dict[str, dict[str, object]]:
        """Per function of the file (by `function_key`): its effect, guard, key read and calls."""
        found: dict[str, dict[str, object]] = {}
        for function in self.ctx.functions:
            roots: list[ast.AST] = [function]
            effects = self.effects(roots)
            summary = {
                "effect": effects[0].label if effects else None,
                "guarded": self.guarded(roots),
                "key": self.reads_key(roots),
                "calls": self.external_calls(roots),
            }
            if any(summary.values()):
                found[function_key(self.ctx, function)] = summary
        return found


_SCANS: weakref.WeakKeyDictionary[FileContext, EffectScan] = weakref.WeakKeyDictionary()


def _is_upsert(statement: SqlStatement) -> bool:
    """INSERT OR IGNORE/REPLACE, ON CONFLICT, ON DUPLICATE KEY, REPLACE/MERGE/UPSERT."""
    if statement.verb in ("REPLACE", "MERGE", "UPSERT"):
        return True
    return statement.verb == "INSERT" and bool(_UPSERT_SQL.search(statement.text))


def _is_guard_sql(statement: SqlStatement) -> bool:
    """An upsert, or a lookup in a processed-ids (inbox, dedup…) table."""
    if _is_upsert(statement):
        return True
    return statement.verb == "SELECT" and bool(_DEDUP_WORDS.search(statement.text))


def _core_insert(ctx: FileContext, statement: ast.expr) -> bool:
    """A SQLAlchemy Core `insert(table)…` / `table.insert()…` with no conflict clause."""
    calls = [n for n in ctx.walk(statement) if isinstance(n, ast.Call)]
    if any(_callee_name(c) in _UPSERT_METHODS for c in calls):
        return False
    return any(
        _callee_name(c) == "insert"
        and (ctx.qualname(c.func) or "sqlalchemy").startswith(("sqlalchemy", "sqlmodel"))
        for c in calls
    )


def _increments(call: ast.Call) -> bool:
    """A MongoDB update whose document uses `$inc` (or `$push`): it adds on every replay."""
    return any(
        isinstance(n, ast.Constant) and n.value in ("$inc", "$push")
        for arg in call.args[1:2]
        for n in ast.walk(arg)
    )


def _mentions_key(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.lower()
        return _IDEMPOTENCY_WORD in text or text in KEY_HEADERS or is_key_field(text)
    if isinstance(node, ast.Name):
        return _IDEMPOTENCY_WORD in node.id.lower()
    if isinstance(node, ast.Attribute):
        return _IDEMPOTENCY_WORD in node.attr.lower() or (
            is_key_field(node.attr) and not _is_self(node.value)
        )
    if isinstance(node, ast.arg):
        name = node.arg.lower()
        # `x_request_id: str = Header(None)` reads the X-Request-ID header.
        return (
            _IDEMPOTENCY_WORD in name or is_key_field(name) or name.replace("_", "-") in KEY_HEADERS
        )
    return False


def _is_membership(compare: ast.Compare) -> bool:
    """`x in processed_ids` (not `"k" in payload` nor `x in ("a", "b")`)."""
    if not any(isinstance(op, ast.In | ast.NotIn) for op in compare.ops):
        return False
    literal = ast.Constant | ast.Tuple | ast.List | ast.Set | ast.Dict
    return not isinstance(compare.left, ast.Constant) and not any(
        isinstance(c, literal) for c in compare.comparators
    )


def _leaves(statements: list[ast.stmt]) -> bool:
    return any(
        isinstance(n, ast.Return | ast.Raise | ast.Continue | ast.Break)
        for s in statements
        for n in ast.walk(s)
    )


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _true_keyword(call: ast.Call, name: str) -> bool:
    value = _keyword(call, name)
    return isinstance(value, ast.Constant) and value.value is True


def _callee_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _terminal(expr: ast.expr) -> str:
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return expr.id if isinstance(expr, ast.Name) else ""


def _is_self(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Name) and expr.id in ("self", "cls")


def _op(op: ast.operator) -> str:
    return "+" if isinstance(op, ast.Add) else "-"


# -- calls across modules -----------------------------------------------------------------------
#
# Rules that follow a call into another file of the same service export, per file, a
# summary of each function under its key (`pkg.module.func`, `pkg.module.Class.method`)
# and, per call site, a reference to the callee spelled as this file sees it (an import
# path, `pkg.module.obj.method`). Their project pass matches the two with `CallTargets`.


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
    if isinstance(func, ast.Attribute) and _is_self(func.value):
        owner = ctx.scopes.cls(call)
        return f"{module}.{owner.name}.{func.attr}" if owner is not None else None
    qualname = ctx.qualname(func)
    if qualname is not None:
        return qualname if qualname.lstrip(".").split(".")[0] not in _FOREIGN_MODULES else None
    if isinstance(func, ast.Name):
        defined = any(f.name == func.id for f in ctx.functions)
        return f"{module}.{func.id}" if defined else None
    if isinstance(func, ast.Attribute):
        instance = ctx.instances.resolve(func.value, call)
        if instance is not None and instance.qualname.split(".")[0] not in _FOREIGN_MODULES:
            owner_name = instance.qualname
            if owner_name.startswith("local."):
                owner_name = f"{module}.{owner_name.removeprefix('local.')}"
            return f"{owner_name}.{func.attr}"
    return None


def module_bindings(ctx: FileContext) -> dict[str, str]:
    """Module-level objects built from a class: `payments = PaymentsClient()` → class key."""
    module = module_name(ctx)
    found = {}
    for node in ctx.tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            instance = ctx.instances.instance_of_call(node.value)
            if instance is None:
                continue
            owner = instance.qualname
            if owner.startswith("local."):
                owner = f"{module}.{owner.removeprefix('local.')}"
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[f"{module}.{target.id}"] = owner
    return found


class CallTargets:
    """Finds the exported function a reference names, among one service's files."""

    def __init__(self, keys: list[str], bindings: dict[str, str]) -> None:
        self._keys = keys
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
