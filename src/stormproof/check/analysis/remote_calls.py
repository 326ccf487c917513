"""Outgoing calls to other services: which library, which method, which target.

A remote call is an HTTP or gRPC request made with requests, httpx, aiohttp,
urllib, a generated gRPC stub or `stormproof.kit`, or a call to a one-level
wrapper: a function of the same module that makes such a request to a URL
taken from one of its parameters.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from stormproof.check.analysis import kit
from stormproof.check.analysis.imports import ImportMap
from stormproof.check.analysis.instances import Instance, Instances
from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode, Scopes
from stormproof.check.analysis.values import Values

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Module-level request functions: qualname prefix → library.
_MODULE_FUNCTIONS = {
    "requests": HTTP_METHODS | {"request"},
    "httpx": HTTP_METHODS | {"request", "stream"},
    "aiohttp": frozenset({"request"}),
}
# Client classes whose methods send requests: class qualname → (library, methods).
CLIENT_CLASSES: dict[str, tuple[str, frozenset[str]]] = {
    "requests.Session": ("requests", HTTP_METHODS | {"request", "send"}),
    "httpx.Client": ("httpx", HTTP_METHODS | {"request", "stream", "send"}),
    "httpx.AsyncClient": ("httpx", HTTP_METHODS | {"request", "stream", "send"}),
    "aiohttp.ClientSession": ("aiohttp", HTTP_METHODS | {"request", "ws_connect"}),
    "stormproof.kit.Client": ("stormproof.kit", HTTP_METHODS | {"request"}),
    "stormproof.kit.AsyncClient": ("stormproof.kit", HTTP_METHODS | {"request"}),
}
_URLOPEN = "urllib.request.urlopen"


def is_client_class(qualname: str) -> bool:
    """Whether objects of this class send requests (an HTTP client or a gRPC stub)."""
    return qualname in CLIENT_CLASSES or qualname.endswith("Stub")


@dataclass(slots=True, eq=False)
class RemoteCall:
    """One outgoing request, as written in the code."""

    node: ast.Call
    library: str  # requests | httpx | aiohttp | urllib | grpc | stormproof.kit
    api: str  # e.g. requests.post, httpx.AsyncClient.post, grpc.Stub.GetQuote
    method: str | None  # upper-case HTTP method when known
    url: ast.expr | None
    client: Instance | None = None  # the session/client it goes through
    target: str | None = None  # manifest service, when resolved
    target_env: str | None = None  # env var the URL comes from
    url_literal: str | None = None  # literal URL (or its literal head)
    # For a call through a one-level wrapper: the request the wrapper makes.
    inner: RemoteCall | None = None
    wrapper: FunctionNode | None = None
    is_async: bool = False
    _keywords: dict[str, ast.expr] = field(default_factory=dict)

    @property
    def unsafe(self) -> bool:
        return self.method in UNSAFE_METHODS

    @property
    def direct(self) -> bool:
        """Whether this is the request itself (not a call to a wrapper that makes it)."""
        return self.inner is None

    @property
    def request(self) -> RemoteCall:
        """The call that actually sends the request: itself, or the wrapper's inner call."""
        return self.inner or self

    def keyword(self, name: str) -> ast.expr | None:
        """The value passed as `name=` at this call site."""
        return self._keywords.get(name)

    @property
    def has_star_kwargs(self) -> bool:
        return any(k.arg is None for k in self.node.keywords)

    def describe(self) -> str:
        """`requests.post to payments` — the phrase messages start with."""
        where = f" to {self.target}" if self.target else ""
        return f"{self.api}{where}"


class RemoteCalls:
    """Finds every remote call in a module and resolves its target."""

    def __init__(
        self,
        tree: ast.Module,
        imports: ImportMap,
        scopes: Scopes,
        instances: Instances,
        values: Values,
        target_of_env: Callable[[str], str | None],
        target_of_host: Callable[[str], str | None],
        target_of_identifier: Callable[[str], str | None],
    ) -> None:
        self._imports = imports
        self._scopes = scopes
        self._instances = instances
        self._values = values
        self._target_of_env = target_of_env
        self._target_of_host = target_of_host
        self._target_of_identifier = target_of_identifier
        self.calls: list[RemoteCall] = []
        for node in scopes.nodes(ast.Call):
            if isinstance(node, ast.Call):
                call = self._direct(node)
                if call is not None:
                    self.calls.append(call)
        self.calls.extend(self._through_wrappers(tree))
        self.calls.sort(key=lambda c: (c.node.lineno, c.node.col_offset))
        self.by_node = {c.node: c for c in self.calls}

    # -- direct requests -----------------------------------------------------------

    def _direct(self, node: ast.Call) -> RemoteCall | None:
        qualname = self._imports.qualname(node.func)
        if qualname is not None:
            call = self._module_function(node, qualname)
            if call is not None:
                return self._resolve(call)
        if isinstance(node.func, ast.Attribute):
            instance = self._instances.resolve(node.func.value, node)
            if instance is not None:
                call = self._client_method(node, instance, node.func.attr)
                if call is not None:
                    return self._resolve(call)
        return None

    def _module_function(self, node: ast.Call, qualname: str) -> RemoteCall | None:
        if qualname == _URLOPEN:
            return self._urlopen(node)
        module, _, name = qualname.rpartition(".")
        if name not in _MODULE_FUNCTIONS.get(module, ()):
            return None
        return self._http(node, library=module, api=qualname, verb=name, client=None)

    def _client_method(self, node: ast.Call, instance: Instance, name: str) -> RemoteCall | None:
        known = CLIENT_CLASSES.get(instance.qualname)
        if known is not None:
            library, methods = known
            if name not in methods:
                return None
            api = f"{instance.qualname}.{name}"
            return self._http(node, library=library, api=api, verb=name, client=instance)
        if instance.qualname.endswith("Stub") and not name.startswith("_"):
            stub = instance.qualname.rsplit(".", 1)[-1]
            return RemoteCall(
                node=node,
                library="grpc",
                api=f"{stub}.{name}",
                method=None,
                url=None,
                client=instance,
                _keywords=_keywords(node),
            )
        return None

    def _http(
        self, node: ast.Call, *, library: str, api: str, verb: str, client: Instance | None
    ) -> RemoteCall:
        keywords = _keywords(node)
        if verb in ("request", "stream"):
            method_expr = node.args[0] if node.args else keywords.get("method")
            url = node.args[1] if len(node.args) > 1 else keywords.get("url")
            method = _const_upper(method_expr)
        elif verb in ("send", "ws_connect"):
            method, url = None, node.args[0] if node.args else keywords.get("url")
        else:
            method = verb.upper()
            url = node.args[0] if node.args else keywords.get("url")
        return RemoteCall(
            node=node,
            library=library,
            api=api,
            method=method,
            url=url,
            client=client,
            is_async=library == "aiohttp" or (client is not None and "Async" in client.qualname),
            _keywords=keywords,
        )

    def _urlopen(self, node: ast.Call) -> RemoteCall:
        keywords = _keywords(node)
        url = node.args[0] if node.args else keywords.get("url")
        method = "POST" if len(node.args) > 1 or "data" in keywords else "GET"
        if isinstance(url, ast.Name):  # req = Request(url, data=…); urlopen(req)
            built = self._values.assigned(url, node)
            if isinstance(built, ast.Call):
                url = built
        if (
            isinstance(url, ast.Call)
            and self._imports.qualname(url.func) == "urllib.request.Request"
        ):
            request_kw = _keywords(url)
            has_data = len(url.args) > 1 or "data" in request_kw
            method = _const_upper(request_kw.get("method")) or ("POST" if has_data else "GET")
            url = url.args[0] if url.args else request_kw.get("url")
        return RemoteCall(
            node=node, library="urllib", api=_URLOPEN, method=method, url=url, _keywords=keywords
        )

    # -- targets ------------------------------------------------------------------------

    def _resolve(self, call: RemoteCall) -> RemoteCall:
        url = call.url
        base_url = self._client_base_url(call)
        if url is not None:
            call.target_env = self._values.env_var(url, call.node)
            call.url_literal = self._values.literal(url, call.node)
        if base_url is not None and (call.url_literal is None or "://" not in call.url_literal):
            if call.target_env is None:
                call.target_env = self._values.env_var(base_url, call.node)
            literal = self._values.literal(base_url, call.node)
            if literal is not None:
                call.url_literal = literal
        if call.target_env is not None:
            call.target = self._target_of_env(call.target_env)
        if call.target is None and call.url_literal:
            host = urlsplit(call.url_literal).hostname
            if host:
                call.target = self._target_of_host(host)
        if call.target is None:
            # `settings.payment_service_url`, `PAYMENTS_API_BASE`: named after the service.
            base = url if url is not None else base_url
            name = call.target_env or self._base_identifier(base, call.node)
            if name is not None:
                call.target = self._target_of_identifier(name)
        if call.target is None and call.library == kit.LIBRARY and call.client is not None:
            # `Client.for_service("payments")`: the manifest's env var for that service.
            name = kit.client_target(call.client.ctor)
            if name is not None:
                from stormproof.manifest import default_url_env

                call.target = self._target_of_env(default_url_env(name))
        return call

    def _base_identifier(self, url: ast.expr | None, at: ast.AST) -> str | None:
        """The name a URL's base is read from, following local assignments."""
        expr = url
        for _ in range(4):
            if expr is None:
                return None
            expr = self._values.url_base(expr)
            if not isinstance(expr, ast.Attribute | ast.Name):
                return None
            value = self._values.assigned(expr, at)
            if value is None or value is expr:
                return expr.attr if isinstance(expr, ast.Attribute) else expr.id
            expr = value
        return None

    def _client_base_url(self, call: RemoteCall) -> ast.expr | None:
        if call.client is None or call.client.ctor is None:
            return None
        return _keywords(call.client.ctor).get("base_url")

    # -- one level of wrappers ---------------------------------------------------------

    def _through_wrappers(self, tree: ast.Module) -> list[RemoteCall]:
        wrappers = self._wrappers()
        if not wrappers:
            return []
        found: list[RemoteCall] = []
        for node in self._scopes.nodes(ast.Call):
            if not isinstance(node, ast.Call):
                continue
            key = _callee_key(node, self._scopes)
            wrapper = wrappers.get(key) if key is not None else None
            if wrapper is None or self._scopes.function(node) is wrapper[0]:
                continue
            function, index, inner = wrapper
            url = _argument(node, function, index)
            call = RemoteCall(
                node=node,
                library=inner.library,
                api=f"{function.name} ({inner.api})",
                method=inner.method or _method_argument(node, function),
                url=url,
                client=inner.client,
                inner=inner,
                wrapper=function,
                is_async=inner.is_async,
                _keywords=_keywords(node),
            )
            found.append(self._resolve(call))
        return found

    def _url_names(self, url: ast.expr, at: ast.AST) -> set[str]:
        """Names a URL is built from, through a local it reads (`u = base + path`, `Request(u)`)."""
        names = {n.id for n in ast.walk(url) if isinstance(n, ast.Name)}
        for name in list(names):
            value = self._values.assigned(ast.Name(id=name), at)
            if isinstance(value, ast.Call):
                value = self._values.request_url(value)
            if value is not None and value is not url:
                names |= {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
        return names

    def _wrappers(self) -> dict[tuple[object, str], tuple[FunctionNode, int, RemoteCall]]:
        """Functions whose request URL comes from a parameter, keyed for lookup at call sites."""
        wrappers: dict[tuple[object, str], tuple[FunctionNode, int, RemoteCall]] = {}
        for call in self.calls:
            function = self._scopes.function(call.node)
            if function is None or call.url is None or call.target is not None:
                continue
            params = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
            used = self._url_names(call.url, call.node)
            index = next((i for i, p in enumerate(params) if p in used), None)
            if index is None:
                continue
            owner = self._scopes.parent.get(function)
            scope: object = owner if isinstance(owner, ast.ClassDef) else ""
            wrappers.setdefault((scope, function.name), (function, index, call))
        return wrappers


def _callee_key(node: ast.Call, scopes: Scopes) -> tuple[object, str] | None:
    func = node.func
    if isinstance(func, ast.Name):
        return ("", func.id)
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("self", "cls")
    ):
        return (scopes.cls(node), func.attr)
    return None


def _argument(call: ast.Call, function: FunctionNode, index: int) -> ast.expr | None:
    params = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
    offset = 1 if params and params[0] in ("self", "cls") else 0
    position = index - offset
    if 0 <= position < len(call.args):
        return call.args[position]
    return _keywords(call).get(params[index])


def _method_argument(call: ast.Call, function: FunctionNode) -> str | None:
    """A wrapper's `method` parameter, when the call site passes a literal."""
    params = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
    if "method" not in params:
        return None
    return _const_upper(_argument(call, function, params.index("method")))


def _keywords(node: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in node.keywords if k.arg is not None}


def _const_upper(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.upper()
    return None


__all__ = ["CLIENT_CLASSES", "FUNCTION_TYPES", "UNSAFE_METHODS", "RemoteCall", "RemoteCalls"]
