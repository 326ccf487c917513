"""Trace-context propagation: which client libraries are instrumented, which calls inject.

OpenTelemetry propagates the W3C `traceparent` header on outgoing requests when
the client library is instrumented (anywhere in the process) or when the code
injects the current context into the headers it sends. This module finds both:
the libraries a file instruments, and whether one call's headers carry the
context. Where the headers come from somewhere this file cannot see (a
parameter, another module's helper), they are assumed to carry it.
"""

from __future__ import annotations

import ast

from stormproof.check.analysis import kit
from stormproof.check.analysis.idempotency_keys import arguments_unknown, request_argument
from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode
from stormproof.check.context import FileContext

#: Stands for "every client library" in a set of instrumented libraries.
EVERY_LIBRARY = "*"

# Instrumentor class (last name) → the remote-call libraries whose requests it propagates on.
_INSTRUMENTORS: dict[str, tuple[str, ...]] = {
    "HTTPXClientInstrumentor": ("httpx",),
    "RequestsInstrumentor": ("requests",),
    "URLLib3Instrumentor": ("requests", "urllib3"),
    "URLLibInstrumentor": ("urllib",),
    "AioHttpClientInstrumentor": ("aiohttp",),
    "GrpcInstrumentorClient": ("grpc",),
    "GrpcAioInstrumentorClient": ("grpc",),
}
_INSTRUMENT_METHODS = frozenset({"instrument", "instrument_client"})
_LOGFIRE = {
    "logfire.instrument_httpx": "httpx",
    "logfire.instrument_requests": "requests",
    "logfire.instrument_aiohttp_client": "aiohttp",
}
_DDTRACE_PATCH_NAMES = {"requests": "requests", "httpx": "httpx", "aiohttp": "aiohttp"}
#: Launchers that instrument every installed library before the service starts.
AUTO_INSTRUMENT_COMMANDS = ("opentelemetry-instrument", "ddtrace-run")
#: Where to point a fix, per library.
INSTRUMENTOR_FOR = {
    "httpx": "HTTPXClientInstrumentor().instrument() (opentelemetry-instrumentation-httpx)",
    "requests": "RequestsInstrumentor().instrument() (opentelemetry-instrumentation-requests)",
    "aiohttp": (
        "AioHttpClientInstrumentor().instrument() (opentelemetry-instrumentation-aiohttp-client)"
    ),
    "urllib": "URLLibInstrumentor().instrument() (opentelemetry-instrumentation-urllib)",
    "grpc": "GrpcInstrumentorClient().instrument() (opentelemetry-instrumentation-grpc)",
}
_TRACE_HEADER = "traceparent"
_MAX_DEPTH = 4


def instrumented_libraries(ctx: FileContext) -> set[str]:
    """The client libraries this file instruments (`EVERY_LIBRARY` for auto-instrumentation)."""
    found: set[str] = set()
    # Every way of instrumenting spells "instrument" (OpenTelemetry, logfire) or "ddtrace" in
    # the source: most files can be passed over without a look at their calls.
    if "instrument" not in ctx.source and "ddtrace" not in ctx.source:
        return found
    for node in ctx.nodes(ast.Call):
        found.update(_instrumented_by(ctx, node))  # type: ignore[arg-type]
    return found


def _instrumented_by(ctx: FileContext, call: ast.Call) -> tuple[str, ...]:
    qualname = ctx.qualname(call.func) or ""
    if qualname in _LOGFIRE:
        return (_LOGFIRE[qualname],)
    if qualname.endswith("auto_instrumentation.initialize") or qualname == "ddtrace.patch_all":
        return (EVERY_LIBRARY,)
    if qualname == "ddtrace.patch":
        return tuple(
            _DDTRACE_PATCH_NAMES[k.arg]
            for k in call.keywords
            if k.arg in _DDTRACE_PATCH_NAMES
            and isinstance(k.value, ast.Constant)
            and k.value.value is True
        )
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in _INSTRUMENT_METHODS):
        return ()
    return _INSTRUMENTORS.get(_instrumentor_class(ctx, func.value, call), ())


def _instrumentor_class(ctx: FileContext, receiver: ast.expr, at: ast.AST) -> str:
    """The class name of `X()` / `X` / a variable holding `X()`."""
    if isinstance(receiver, ast.Call):
        receiver = receiver.func
    qualname = ctx.qualname(receiver)
    if qualname is None:
        instance = ctx.instances.resolve(receiver, at)
        qualname = instance.qualname if instance is not None else ""
    return qualname.rsplit(".", 1)[-1]


class Propagation:
    """Whether one call's request carries the trace context, judged from this file."""

    def __init__(self, ctx: FileContext) -> None:
        self._ctx = ctx
        self._injections = _injection_sites(ctx)
        self._module_functions = {n.name: n for n in ctx.tree.body if isinstance(n, FUNCTION_TYPES)}

    def carries_context(self, call: RemoteCall) -> bool:
        """Whether the request `call` sends carries the context. For a call of a one-level
        wrapper that is the wrapper's request, with the headers this call site gives it."""
        request = call.request
        if kit.has_tracing(request.client) or arguments_unknown(call):
            return True
        if self._client_injects(request):
            return True
        if request.library == "urllib" and self._trace_header_added(request):
            return True
        headers, at = self._headers(call)
        return headers is not None and self._carries(headers, at, 0)

    # -- where the headers are -----------------------------------------------------------

    def _headers(self, call: RemoteCall) -> tuple[ast.expr | None, ast.AST]:
        """The headers (gRPC metadata) the request carries, and the node to resolve them at."""
        request = call.request
        if request.library == "grpc":
            return request_argument(call, "metadata")
        if request.library != "urllib":
            return request_argument(call, "headers")
        sent = request.node.args[0] if request.node.args else request.keyword("url")
        if isinstance(sent, ast.Name):
            sent = self._ctx.values.assigned(sent, request.node)
        if isinstance(sent, ast.Call) and self._ctx.qualname(sent.func) in (
            "urllib.request.Request",
        ):
            keywords = {k.arg: k.value for k in sent.keywords if k.arg}
            headers = sent.args[2] if len(sent.args) > 2 else keywords.get("headers")
            return headers, request.node
        return None, request.node

    def _trace_header_added(self, call: RemoteCall) -> bool:
        """`req.add_header("traceparent", ...)` on the Request that `urlopen(req)` sends."""
        request = call.node.args[0] if call.node.args else call.keyword("url")
        if not isinstance(request, ast.Name):
            return False
        scope = self._ctx.scopes.function(call.node)
        for node in self._ctx.walk(scope or self._ctx.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("add_header", "add_unredirected_header")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == request.id
                and node.args
                and _is_trace_header(node.args[0])
            ):
                return True
        return False

    def _client_injects(self, call: RemoteCall) -> bool:
        """An httpx request hook that injects, or an aiohttp session with trace configs."""
        ctor = call.client.ctor if call.client is not None else None
        if ctor is None:
            return False
        keywords = {k.arg: k.value for k in ctor.keywords if k.arg}
        if "trace_configs" in keywords:
            return True
        hooks = keywords.get("event_hooks")
        if hooks is None:
            return False
        names = [n for n in ast.walk(hooks) if isinstance(n, ast.Name)]
        known = [self._module_functions.get(n.id) for n in names]
        if not names or any(f is None for f in known):
            return True  # hooks defined elsewhere: assume they inject
        return any(self._calls_inject(f) for f in known if f is not None)

    # -- what the headers hold ----------------------------------------------------------

    def _carries(self, expr: ast.expr, at: ast.AST, depth: int) -> bool:
        if depth > _MAX_DEPTH:
            return True
        if isinstance(expr, ast.Dict):
            return any(
                self._carries(value, at, depth + 1)
                if key is None
                else not isinstance(key, ast.Constant) or _is_trace_header(key)
                for key, value in zip(expr.keys, expr.values, strict=True)
            )
        if isinstance(expr, ast.List | ast.Tuple):  # gRPC metadata: [("key", "value"), ...]
            return any(
                not isinstance(item, ast.Tuple)
                or not item.elts
                or not isinstance(item.elts[0], ast.Constant)
                or _is_trace_header(item.elts[0])
                for item in expr.elts
            )
        if isinstance(expr, ast.Constant):
            return False
        if isinstance(expr, ast.BinOp):
            return self._carries(expr.left, at, depth + 1) or self._carries(
                expr.right, at, depth + 1
            )
        if isinstance(expr, ast.Name | ast.Attribute):
            return self._variable_carries(expr, at, depth)
        if isinstance(expr, ast.Call):
            return self._result_carries(expr, at, depth)
        return True  # comprehensions, subscripts, request.headers: cannot tell

    def _variable_carries(self, expr: ast.Name | ast.Attribute, at: ast.AST, depth: int) -> bool:
        if isinstance(expr, ast.Name) and self._filled_before(expr.id, at):
            return True
        value = self._ctx.values.assigned(expr, at)
        if value is None:
            return True  # a parameter, an import, `request.headers`: cannot tell
        return self._carries(value, at, depth + 1)

    def _filled_before(self, name: str, at: ast.AST) -> bool:
        """`inject(name)`, `name["traceparent"] = …` or `name.update(…)` earlier in the scope."""
        scope = self._ctx.scopes.function(at)
        line = getattr(at, "lineno", 0)
        return any(
            site_name == name and site_scope is scope and site_line < line
            for site_name, site_scope, site_line in self._injections
        )

    def _result_carries(self, call: ast.Call, at: ast.AST, depth: int) -> bool:
        func = call.func
        if isinstance(func, ast.Name) and func.id in self._module_functions:
            function = self._module_functions[func.id]
            return self._calls_inject(function) or any(
                _is_trace_header(n) for n in self._ctx.walk(function)
            )
        if isinstance(func, ast.Name) and func.id == "dict":
            return any(self._carries(a, at, depth + 1) for a in call.args) or any(
                k.arg is None or k.arg.lower() == _TRACE_HEADER for k in call.keywords
            )
        if isinstance(func, ast.Attribute) and func.attr == "copy":
            return self._carries(func.value, at, depth + 1)
        return True  # another module's helper: cannot tell

    def _calls_inject(self, function: ast.AST) -> bool:
        return any(isinstance(n, ast.Call) and _is_inject(n) for n in self._ctx.walk(function))


def _injection_sites(ctx: FileContext) -> list[tuple[str, FunctionNode | None, int]]:
    """(variable, scope, line) for every statement that may put the trace context in a dict."""
    sites: list[tuple[str, FunctionNode | None, int]] = []
    for node in ctx.nodes(ast.Call, ast.Assign):
        target: ast.expr | None = None
        if isinstance(node, ast.Call) and _is_inject(node):
            target = _carrier(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("update", "setdefault") and not _literal_without_trace(node):
                target = node.func.value
        elif isinstance(node, ast.Assign):
            for assigned in node.targets:
                if isinstance(assigned, ast.Subscript) and _is_trace_header(assigned.slice):
                    target = assigned.value
        if isinstance(target, ast.Name):
            sites.append((target.id, ctx.scopes.function(node), node.lineno))
    return sites


def _literal_without_trace(call: ast.Call) -> bool:
    """`headers.update({"Accept": …})`: a literal that adds no trace header."""
    if call.keywords:
        return all(k.arg is not None and k.arg.lower() != _TRACE_HEADER for k in call.keywords)
    if len(call.args) == 1 and isinstance(call.args[0], ast.Dict):
        keys = call.args[0].keys
        return all(isinstance(k, ast.Constant) and not _is_trace_header(k) for k in keys)
    if len(call.args) == 2 and isinstance(call.args[0], ast.Constant):  # setdefault(k, v)
        return not _is_trace_header(call.args[0])
    return False


def _is_inject(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name == "inject"


def _carrier(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "carrier"), None)


def _is_trace_header(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.lower() == _TRACE_HEADER
    )
