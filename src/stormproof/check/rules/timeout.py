"""Rules of the `timeout` category: remote calls that can wait forever."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.analysis.retries import mounted_adapters
from stormproof.check.context import FileContext
from stormproof.check.finding import Finding
from stormproof.check.rule import Rule

HTTPX_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient"})
HTTPX_TIMEOUT = "httpx.Timeout"
AIOHTTP_TIMEOUT = "aiohttp.ClientTimeout"
# aiohttp.ClientTimeout fields, in positional order; any one set to a value is a limit.
AIOHTTP_LIMITS = ("total", "connect", "sock_read", "sock_connect")


def _hangs(ctx: FileContext, target: str | None) -> str:
    """The consequence: `a hung payments service hangs booking`."""
    upstream = f"a hung {target} service" if target else "a hung upstream"
    caller = ctx.service_name or "the caller"
    return f"{upstream} hangs {caller}"


class RemoteCallWithoutTimeout(Rule):
    id = "SP101"
    name = "remote-call-without-timeout"
    category = "timeout"
    severity = "error"
    policy = "timeouts"
    summary = "A requests, urllib or gRPC call made without a timeout."
    why = (
        "requests, urllib.request.urlopen and gRPC stubs wait forever by default. When the "
        "service on the other end hangs (a stuck worker, a full connection pool, a network "
        "partition that drops packets), the calling thread or worker waits with it, holding "
        "its connection and memory. A few such calls exhaust the caller's workers and the "
        "outage spreads upstream: one slow service takes down every service that calls it."
    )
    bad = """\
import os
import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]

def charge(order_id: str, amount_cents: int) -> str:
    resp = requests.post(f"{PAYMENTS_URL}/charges", json={"order": order_id, "cents": amount_cents})
    resp.raise_for_status()
    return resp.json()["charge_id"]
"""
    good = """\
import os
import requests

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
TIMEOUT = (3.05, 10)  # (connect, read) seconds

def charge(order_id: str, amount_cents: int) -> str:
    resp = requests.post(
        f"{PAYMENTS_URL}/charges",
        json={"order": order_id, "cents": amount_cents},
        timeout=TIMEOUT,
    )
    resp.raise_for_status()
    return resp.json()["charge_id"]
"""
    defaults = (
        "requests: no timeout unless `timeout=` is passed on every call; `session.timeout = 5` "
        "is silently ignored. urllib.request.urlopen: the global socket default, normally "
        "none. gRPC stubs: no deadline unless `timeout=` is passed. (httpx defaults to 5 s "
        "and aiohttp to 300 s total, so their calls are not reported here.)"
    )
    fix = "pass timeout=… (seconds) or use stormproof.kit.Client"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        patched: list[tuple[ast.expr, ast.Assign]] | None = None
        for call in ctx.remote_calls:
            if not call.direct or call.has_star_kwargs:
                continue
            if call.library == "requests" and call.keyword("timeout") is None:
                # timeout=None is SP102's; a session may apply a default of its own.
                if call.client is not None and patched is None:
                    patched = _patched_request_methods(ctx)
                lacks = call.client is None or not _session_sets_timeout(ctx, call, patched or [])
            else:
                lacks = (call.library == "urllib" and not self._urlopen_has_timeout(call)) or (
                    call.library == "grpc" and self._grpc_lacks_timeout(call)
                )
            if lacks:
                message = f"{call.describe()} has no timeout; {_hangs(ctx, call.target)}"
                yield ctx.finding(self, call.node, message)

    @staticmethod
    def _urlopen_has_timeout(call: RemoteCall) -> bool:
        node = call.node
        return (
            call.keyword("timeout") is not None
            or len(node.args) >= 3
            or any(isinstance(a, ast.Starred) for a in node.args)
        )

    @staticmethod
    def _grpc_lacks_timeout(call: RemoteCall) -> bool:
        # Only stubs from generated `*_pb2_grpc` modules: other `...Stub` classes are unknown.
        stub = call.client.qualname if call.client is not None else ""
        return "_pb2_grpc." in stub and call.keyword("timeout") is None


def _session_sets_timeout(
    ctx: FileContext, call: RemoteCall, patched: list[tuple[ast.expr, ast.Assign]]
) -> bool:
    """Whether the session applies a default timeout itself: an adapter of a user-defined
    HTTPAdapter subclass that mentions a timeout (the `TimeoutHTTPAdapter` recipe), or
    `session.request = functools.partial(session.request, timeout=...)` (one of `patched`)."""
    assert call.client is not None
    if any(ctx.instances.resolve(owner, at) == call.client for owner, at in patched):
        return True
    for adapter in mounted_adapters(ctx, call.client):
        instance = ctx.instances.instance_of_call(adapter)
        if instance is None or not instance.qualname.startswith("local."):
            continue
        class_name = instance.qualname.removeprefix("local.")
        for node in ctx.tree.body:
            if isinstance(node, ast.ClassDef) and node.name == class_name:
                return _mentions_timeout(ctx, node)
    return False


def _patched_request_methods(ctx: FileContext) -> list[tuple[ast.expr, ast.Assign]]:
    """(object, assignment) for each `obj.request = …`/`obj.send = …` that mentions a timeout."""
    return [
        (target.value, node)
        for node in ctx.nodes(ast.Assign)
        for target in node.targets  # type: ignore[attr-defined]
        if isinstance(target, ast.Attribute)
        and target.attr in ("request", "send")
        and _mentions_timeout(ctx, node.value)  # type: ignore[attr-defined]
    ]


def _mentions_timeout(ctx: FileContext, node: ast.AST) -> bool:
    return any("timeout" in _identifier(child).lower() for child in ctx.walk(node))


def _identifier(node: ast.AST) -> str:
    """The name or string a node spells, or ''."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.arg | ast.keyword):
        return node.arg or ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


class TimeoutDisabled(Rule):
    id = "SP102"
    name = "timeout-disabled"
    category = "timeout"
    severity = "error"
    policy = "timeouts"
    summary = "A timeout explicitly switched off: `timeout=None`, `httpx.Timeout(None)`, …"
    why = (
        "httpx (5 s) and aiohttp (300 s) protect callers with a default timeout. Passing "
        "`timeout=None`, `httpx.Timeout(None)` or `aiohttp.ClientTimeout(total=None)` removes "
        "that protection: a request to a service that stops answering now waits forever, "
        "holding a worker and a connection, until the caller runs out of both. It is usually "
        "done to make a slow endpoint work; a long but finite timeout does that safely."
    )
    bad = """\
import httpx

async def export(report_id: str) -> bytes:
    async with httpx.AsyncClient(timeout=None) as client:
        resp = await client.get(f"http://reports:8000/exports/{report_id}")
        return resp.content
"""
    good = """\
import httpx

# Exports are slow: allow 2 minutes to read, but never wait forever.
EXPORT_TIMEOUT = httpx.Timeout(120.0, connect=5.0)

async def export(report_id: str) -> bytes:
    async with httpx.AsyncClient(timeout=EXPORT_TIMEOUT) as client:
        resp = await client.get(f"http://reports:8000/exports/{report_id}")
        return resp.content
"""
    defaults = (
        "httpx: 5 s for connect, read, write and pool; `None` disables each. aiohttp: "
        "`ClientTimeout(total=300)`; `ClientTimeout()` or `total=None` with no connect/sock_read "
        "limit disables it. requests: `timeout=None` is the same as passing nothing (wait "
        "forever); a `(connect, None)` tuple waits forever for the response."
    )
    fix = "set a finite timeout (a long one is fine for slow endpoints), e.g. httpx.Timeout(60.0)"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        for call in ctx.remote_calls:
            if call.direct and call.library in ("requests", "httpx"):
                yield from self._call_timeout(ctx, call)
        # Timeout objects and clients are often built in a module that makes no call itself.
        if ctx.imports.imports("httpx") or ctx.imports.imports("aiohttp"):
            for node in ctx.nodes(ast.Call):
                yield from self._constructor(ctx, node)  # type: ignore[arg-type]

    def _call_timeout(self, ctx: FileContext, call: RemoteCall) -> Iterator[Finding]:
        keyword = _timeout_keyword(call.node)
        timeout = keyword.value if keyword is not None else None
        if _is_none(timeout):
            yield ctx.finding(
                self,
                keyword,
                f"{call.describe()} passes timeout=None, so it waits forever for an answer; "
                f"{_hangs(ctx, call.target)}",
            )
        elif (
            call.library == "requests"
            and isinstance(timeout, ast.Tuple)
            and len(timeout.elts) == 2
            and _is_none(timeout.elts[1])
        ):
            yield ctx.finding(
                self,
                keyword,
                f"{call.describe()} passes a (connect, None) timeout, so it waits forever for "
                f"the response; {_hangs(ctx, call.target)}",
            )

    def _constructor(self, ctx: FileContext, node: ast.Call) -> Iterator[Finding]:
        if any(k.arg is None for k in node.keywords):
            return
        qualname = ctx.qualname(node.func)
        if qualname in HTTPX_CLIENTS:
            keyword = _timeout_keyword(node)
            if keyword is not None and _is_none(keyword.value):
                base_url = next((k.value for k in node.keywords if k.arg == "base_url"), None)
                yield ctx.finding(
                    self,
                    keyword,
                    f"{qualname}(timeout=None) disables httpx's 5 s default for every request "
                    f"it sends; {_hangs(ctx, _client_target(ctx, node, base_url))}",
                )
            return
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        if qualname == HTTPX_TIMEOUT and _httpx_read_disabled(node, keywords):
            yield ctx.finding(
                self,
                node,
                "httpx.Timeout with no read timeout (None) waits forever for a response; "
                f"{_hangs(ctx, None)}",
            )
        elif qualname == AIOHTTP_TIMEOUT and _aiohttp_unlimited(node, keywords):
            yield ctx.finding(
                self,
                node,
                "aiohttp.ClientTimeout with no total, connect or socket limit waits forever; "
                f"{_hangs(ctx, None)}",
            )


def _timeout_keyword(call: ast.Call) -> ast.keyword | None:
    """The `timeout=` argument: where SP102 points, since it is what has to change."""
    return next((k for k in call.keywords if k.arg == "timeout"), None)


def _is_none(expr: ast.expr | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _client_target(ctx: FileContext, node: ast.Call, base_url: ast.expr | None) -> str | None:
    if base_url is None:
        return None
    env = ctx.values.env_var(base_url, node)
    return ctx.system.target_of_env(env) if env is not None else None


def _httpx_read_disabled(node: ast.Call, keywords: dict[str, ast.expr]) -> bool:
    """`Timeout(None)`, `Timeout(timeout=None, connect=5)`, `Timeout(5.0, read=None)`."""
    if "read" in keywords:
        return _is_none(keywords["read"])
    default = node.args[0] if node.args else keywords.get("timeout")
    return _is_none(default)


def _aiohttp_unlimited(node: ast.Call, keywords: dict[str, ast.expr]) -> bool:
    given = dict(zip(AIOHTTP_LIMITS, node.args, strict=False))
    given.update({k: v for k, v in keywords.items() if k in AIOHTTP_LIMITS})
    return all(_is_none(value) for value in given.values())


RULES: list[type[Rule]] = [RemoteCallWithoutTimeout, TimeoutDisabled]
