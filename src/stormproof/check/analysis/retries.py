"""Where code retries: retry loops, retry libraries, and clients that retry on their own.

Recognised retry constructs (`RetryConstruct`):
- retry loops: a `while` loop, or a `for` loop over `range(...)`/`itertools.count(...)`,
  that makes a remote call inside a `try` whose handler can fall through to the next
  iteration (or that `continue`s after checking a response status) and that leaves the
  loop on success;
- tenacity: `@retry`, `@retry(...)`, `retry(...)(fn)`, a name bound to `retry(...)` used as a
  decorator, `Retrying(...)`/`AsyncRetrying(...)` (as `for attempt in Retrying(...)` blocks);
- backoff: `@backoff.on_exception(...)`, `@backoff.on_predicate(...)`;
- retrying (the older library): `@retry`, `@retry(...)`;
- stamina: `@stamina.retry(...)`, `for attempt in stamina.retry_context(...)`;
- urllib3 `Retry(...)` configurations (no body: they retry inside a session's adapter).

Clients that retry by themselves (`ClientRetry`): a requests Session with a mounted
`HTTPAdapter(max_retries=Retry(...) | N>0)`, an httpx client built with
`transport=HTTPTransport(retries=N>0)`, and `stormproof.kit` clients.

`retried_calls(ctx)` is the entry point for rules that ask "is this call retried?".
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property

from stormproof.check.analysis.instances import Instance
from stormproof.check.analysis.remote_calls import UNSAFE_METHODS, RemoteCall
from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode
from stormproof.check.context import FileContext

# Scopes whose code does not run where it is written.
NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

TENACITY_DECORATORS = frozenset({"tenacity.retry"})
TENACITY_BLOCKS = frozenset({"tenacity.Retrying", "tenacity.AsyncRetrying"})
BACKOFF_DECORATORS = frozenset({"backoff.on_exception", "backoff.on_predicate"})
RETRYING_DECORATORS = frozenset({"retrying.retry"})
STAMINA_DECORATORS = frozenset({"stamina.retry"})
STAMINA_BLOCKS = frozenset({"stamina.retry_context"})
URLLIB3_RETRY = frozenset(
    {
        "urllib3.Retry",
        "urllib3.util.Retry",
        "urllib3.util.retry.Retry",
        "requests.adapters.Retry",
        "requests.packages.urllib3.util.retry.Retry",
        "requests.packages.urllib3.util.Retry",
    }
)
# Modules whose import makes library retry constructs possible (urllib3's Retry is also
# reachable as `requests.adapters.Retry`).
RETRY_MODULES = frozenset({"tenacity", "backoff", "retrying", "stamina", "urllib3", "requests"})
HTTPX_TRANSPORTS = frozenset({"httpx.HTTPTransport", "httpx.AsyncHTTPTransport"})
SLEEPS = frozenset({"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep", "gevent.sleep"})
CLOCKS = frozenset(
    {"time.time", "time.monotonic", "time.perf_counter", "time.time_ns", "time.monotonic_ns"}
)
# Response attributes a retry loop reads before `continue`-ing on an error status.
STATUS_ATTRIBUTES = frozenset(
    {"status_code", "status", "ok", "is_success", "is_error", "is_server_error"}
)
# Helpers that only shape a delay; any other call in a delay makes it unknown.
_DELAY_SHAPERS = frozenset({"min", "max", "int", "float", "abs", "round"})

# tenacity wait strategies, by what they do to the delay.
_CONSTANT, _JITTER, _EXPONENTIAL, _GROWING, _JITTERED_GROWTH = (
    "constant",
    "jitter",
    "exponential",
    "growing",
    "jittered growth",
)
_TENACITY_WAITS = {
    "wait_fixed": _CONSTANT,
    "wait_none": _CONSTANT,
    "wait_random": _JITTER,
    "wait_exponential": _EXPONENTIAL,
    "wait_incrementing": _GROWING,
    "wait_random_exponential": _JITTERED_GROWTH,
    "wait_full_jitter": _JITTERED_GROWTH,
    "wait_exponential_jitter": _JITTERED_GROWTH,
}


class Pacing(Enum):
    """How a retry spaces its attempts."""

    NONE = "no wait"
    CONSTANT = "constant wait"
    EXPONENTIAL = "exponential backoff without jitter"
    BACKOFF = "growing or jittered backoff"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, eq=False)
class RetryConstruct:
    """One place where code retries."""

    kind: str  # loop | tenacity | backoff | retrying | stamina | urllib3
    node: ast.AST  # where it is written: the loop, the decorator, the configuring call
    label: str  # how messages name it: "tenacity @retry on f", "retry loop `while True`"
    body: tuple[ast.stmt, ...]  # the statements it runs again (empty for urllib3)
    function: FunctionNode | None  # the decorated (or wrapped) function
    bounded: bool | None  # None when the configuration cannot be read
    pacing: Pacing
    attempts: int | None  # attempts per call, when known
    # Whether it decorates `function`, so that every call of that function retries.
    decorates: bool = False

    @property
    def line(self) -> int:
        return getattr(self.node, "lineno", 0)


@dataclass(frozen=True, slots=True, eq=False)
class ClientRetry:
    """A client that retries requests by itself."""

    node: ast.AST  # what makes it retry: Retry(...), max_retries=N, the transport, the client
    label: str  # how messages name it: "its httpx transport, retries=3"
    attempts: int | None
    # Unsafe methods it re-sends after the request may have reached the server, as
    # configured explicitly (urllib3 `allowed_methods=`).
    resent_unsafe_methods: frozenset[str]


def retry_constructs(ctx: FileContext) -> list[RetryConstruct]:
    """Every retry construct of the file, in source order.

    A `retry(...)` bound to a name and used on several functions appears once per function.
    """
    return _analysis(ctx).constructs


def retry_settings(ctx: FileContext) -> list[RetryConstruct]:
    """One construct per place a retry is configured: where its bound and pacing are judged."""
    return _analysis(ctx).settings


def retried_calls(ctx: FileContext) -> dict[ast.Call, RetryConstruct]:
    """Remote calls that are retried, each with the construct that retries it.

    A call inside several constructs maps to the innermost. Calls made on a session whose
    urllib3 `Retry(allowed_methods=...)` explicitly lists their unsafe method map to that
    `Retry` construct. A call of a one-level wrapper counts where it is written; it also
    inherits the retry inside the wrapper when the wrapper's request takes its method from
    the call site (`self._request_with_retry("POST", ...)`).
    """
    return _analysis(ctx).retried


def retrying_functions(ctx: FileContext) -> dict[FunctionNode, RetryConstruct]:
    """Functions that retry whenever they are called: those with a retry decorator."""
    return _analysis(ctx).functions


def retrying_callee(ctx: FileContext, call: ast.Call) -> RetryConstruct | None:
    """The retry construct of what `call` invokes, when that retries: a function of this
    module (`f()`, `self.m()`) that is decorated or whose own body retries, or a module name
    bound to `retry(...)(fn)`."""
    return _analysis(ctx).callee(call)


def client_retry(ctx: FileContext, call: RemoteCall) -> ClientRetry | None:
    """How the client or session that `call` goes through retries by itself, if it does."""
    return _analysis(ctx).client_retry(call)


def mounted_adapters(ctx: FileContext, client: Instance) -> list[ast.Call]:
    """The adapter constructor calls mounted on a requests session (`session.mount(p, A(...))`)."""
    return _analysis(ctx).mounted_adapters(client)


_CACHE: weakref.WeakKeyDictionary[FileContext, _RetryAnalysis] = weakref.WeakKeyDictionary()


def _analysis(ctx: FileContext) -> _RetryAnalysis:
    # Several rules ask about the same file; analyse it once.
    found = _CACHE.get(ctx)
    if found is None:
        found = _CACHE[ctx] = _RetryAnalysis(ctx)
    return found


class _RetryAnalysis:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.remote_by_node = {c.node: c for c in ctx.remote_calls}

    # -- constructs ------------------------------------------------------------------

    @cached_property
    def constructs(self) -> list[RetryConstruct]:
        found: dict[tuple[int, int], RetryConstruct] = {}
        for node in self._candidates():
            for construct in self._constructs_at(node):
                # A `retry(...)` bound to a name decorates many functions; keep one per body.
                found.setdefault((id(construct.node), id(construct.function)), construct)
        return sorted(found.values(), key=lambda c: (c.line, getattr(c.node, "col_offset", 0)))

    def _candidates(self) -> list[ast.AST]:
        """The nodes that can be retry constructs: with a retry library imported, every
        decorated function, call and `for` loop; and the loops around a remote call. A file
        with neither (most files) is not looked at further."""
        candidates: list[ast.AST] = []
        if RETRY_MODULES.intersection(m.partition(".")[0] for m in self.ctx.imports.modules):
            decorated = (f for f in self.ctx.functions if f.decorator_list)
            candidates.extend(decorated)
            candidates.extend(self.ctx.nodes(ast.Call, ast.For, ast.AsyncFor))
        loops = ast.For | ast.AsyncFor | ast.While
        for call in self.remote_by_node:
            for ancestor in self.ctx.scopes.ancestors(call):
                if isinstance(ancestor, NESTED_SCOPES):
                    break  # a loop outside the call's own scope does not run it
                if isinstance(ancestor, loops):
                    candidates.append(ancestor)
        return list(dict.fromkeys(candidates))

    def _constructs_at(self, node: ast.AST) -> Iterator[RetryConstruct]:
        if isinstance(node, FUNCTION_TYPES):
            for decorator in node.decorator_list:
                construct = self._library_construct(decorator, function=node)
                if construct is not None:
                    yield replace(construct, decorates=True)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            block = self._block(node)
            if block is not None:
                yield block
            elif (loop := self._loop(node)) is not None:
                yield loop
        elif isinstance(node, ast.Call):
            yield from self._configuring_call(node)

    def _configuring_call(self, call: ast.Call) -> Iterator[RetryConstruct]:
        """`retry(...)(fn)`, a bare `Retrying(...)`, `r = retry(...)`, `Retry(...)`."""
        qualname = self.ctx.qualname(call.func)
        if qualname in URLLIB3_RETRY:
            yield self._urllib3(call)
            return
        if isinstance(call.func, ast.Call) and call.args:
            wrapped = self._module_function(call.args[0])
            construct = self._library_construct(call.func, function=wrapped)
            if construct is not None:
                yield construct
            return
        parent = self.ctx.scopes.parent.get(call)
        used_as = (ast.For, ast.AsyncFor, ast.FunctionDef, ast.AsyncFunctionDef, ast.Call)
        if qualname in TENACITY_DECORATORS | TENACITY_BLOCKS and not isinstance(parent, used_as):
            construct = self._library_construct(call, function=None)
            if construct is not None:
                yield construct

    def _module_function(self, expr: ast.expr) -> FunctionNode | None:
        if not isinstance(expr, ast.Name):
            return None
        for node in self.ctx.tree.body:
            if isinstance(node, FUNCTION_TYPES) and node.name == expr.id:
                return node
        return None

    def _library_construct(
        self, expr: ast.expr, *, function: FunctionNode | None
    ) -> RetryConstruct | None:
        """A decorator or configuring call of tenacity, backoff or stamina."""
        config: ast.expr | None = expr
        if isinstance(expr, ast.Name) and self.ctx.qualname(expr) is None:
            # `retry_reads = retry(...)` then `@retry_reads`.
            config = self.ctx.values.assigned(expr, expr)
        if config is None:
            return None
        call = config if isinstance(config, ast.Call) else None
        qualname = self.ctx.qualname(call.func if call is not None else config)
        body = tuple(function.body) if function is not None else ()
        name = f" on {function.name}" if function is not None else ""
        if qualname in TENACITY_DECORATORS | TENACITY_BLOCKS:
            kind = "tenacity @retry" if qualname in TENACITY_DECORATORS else qualname
            bounded, pacing = _tenacity_settings(self.ctx, call)
            attempts = _tenacity_attempts(self.ctx, call)
            return RetryConstruct(
                "tenacity", config, f"{kind}{name}", body, function, bounded, pacing, attempts
            )
        if qualname in BACKOFF_DECORATORS and call is not None:
            bounded, pacing = _backoff_settings(self.ctx, call)
            attempts = _int_keyword(call, "max_tries")
            label = f"@{qualname}{name}"
            return RetryConstruct(
                "backoff", config, label, body, function, bounded, pacing, attempts
            )
        if qualname in RETRYING_DECORATORS:
            bounded, pacing = _retrying_settings(call)
            attempts = _int_keyword(call, "stop_max_attempt_number")
            label = f"retrying @retry{name}"
            return RetryConstruct(
                "retrying", config, label, body, function, bounded, pacing, attempts
            )
        if qualname in STAMINA_DECORATORS:
            return self._stamina(config, call, f"@stamina.retry{name}", body, function)
        return None

    def _stamina(
        self,
        node: ast.AST,
        call: ast.Call | None,
        label: str,
        body: tuple[ast.stmt, ...],
        function: FunctionNode | None,
    ) -> RetryConstruct:
        keywords = _keywords(call)
        # stamina bounds attempts (10) and time (45 s) unless both are switched off.
        unbounded = _is_none(keywords.get("attempts", _UNSET)) and _is_none(
            keywords.get("timeout", _UNSET)
        )
        attempts = _int_keyword(call, "attempts") if call is not None else None
        if call is not None and "attempts" not in keywords:
            attempts = 10
        return RetryConstruct(
            "stamina", node, label, body, function, not unbounded, Pacing.BACKOFF, attempts
        )

    def _block(self, loop: ast.For | ast.AsyncFor | ast.While) -> RetryConstruct | None:
        """`for attempt in Retrying(...)` / `stamina.retry_context(...)`."""
        if isinstance(loop, ast.While) or not isinstance(loop.iter, ast.Call):
            return None
        call = loop.iter
        qualname = self.ctx.qualname(call.func)
        function = self.ctx.enclosing_function(loop)
        body = tuple(loop.body)
        if qualname in STAMINA_BLOCKS:
            return self._stamina(call, call, "stamina.retry_context", body, function)
        if qualname in TENACITY_BLOCKS:
            bounded, pacing = _tenacity_settings(self.ctx, call)
            attempts = _tenacity_attempts(self.ctx, call)
            label = f"tenacity {qualname.rsplit('.', 1)[-1]}"
            return RetryConstruct(
                "tenacity", call, label, body, function, bounded, pacing, attempts
            )
        return None

    def _urllib3(self, call: ast.Call) -> RetryConstruct:
        keywords = _keywords(call)
        factor = keywords.get("backoff_factor")
        if factor is None or _is_zero(factor):
            pacing = Pacing.NONE
        elif "backoff_jitter" in keywords and not _is_zero(keywords["backoff_jitter"]):
            pacing = Pacing.BACKOFF
        else:
            pacing = Pacing.EXPONENTIAL
        total = _urllib3_total(call)
        attempts = total + 1 if isinstance(total, int) else None
        label = "urllib3 Retry"
        return RetryConstruct("urllib3", call, label, (), None, True, pacing, attempts)

    def _loop(self, loop: ast.For | ast.AsyncFor | ast.While) -> RetryConstruct | None:
        facts = _LoopFacts(self.ctx, loop)
        if facts.header is None or not facts.is_retry(self.remote_by_node):
            return None
        return RetryConstruct(
            "loop",
            loop,
            f"retry loop `{_loop_header(loop)}`",
            tuple(loop.body),
            self.ctx.enclosing_function(loop),
            facts.bounded,
            facts.pacing,
            facts.attempts,
        )

    # -- retried calls -----------------------------------------------------------------

    @cached_property
    def retried(self) -> dict[ast.Call, RetryConstruct]:
        retried: dict[ast.Call, RetryConstruct] = {}
        for call in self.ctx.remote_calls:
            client = self.client_retry(call) if _decides_method(call) else None
            if client is not None and call.method in client.resent_unsafe_methods:
                retried[call.node] = self._client_construct(client)
        # Widest first, so that an inner construct overwrites the one around it.
        for construct in sorted(self.constructs, key=_body_span, reverse=True):
            for node in self.ctx.run_nodes(construct.body):
                if isinstance(node, ast.Call) and node in self.remote_by_node:
                    retried[node] = construct
        for call in self.ctx.remote_calls:
            inner = call.inner
            if (
                inner is not None
                and inner.node in retried
                and call.node not in retried
                and _decides_method(call)
            ):
                retried[call.node] = retried[inner.node]
        return retried

    def _client_construct(self, client: ClientRetry) -> RetryConstruct:
        return RetryConstruct(
            "urllib3", client.node, client.label, (), None, True, Pacing.UNKNOWN, client.attempts
        )

    @cached_property
    def settings(self) -> list[RetryConstruct]:
        unique: dict[int, RetryConstruct] = {}
        for construct in self.constructs:
            unique.setdefault(id(construct.node), construct)
        return list(unique.values())

    @cached_property
    def functions(self) -> dict[FunctionNode, RetryConstruct]:
        return {c.function: c for c in self.constructs if c.function is not None and c.decorates}

    @cached_property
    def _wrapped_names(self) -> dict[str, RetryConstruct]:
        """Module names bound to `retry(...)(fn)`: calling them retries."""
        names: dict[str, RetryConstruct] = {}
        for node in self.ctx.tree.body:
            if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
                continue
            call = node.value
            if not isinstance(call.func, ast.Call) or not call.args:
                continue
            wrapped = self._module_function(call.args[0])
            construct = self._library_construct(call.func, function=wrapped)
            if construct is None:
                continue
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = construct
        return names

    @cached_property
    def _retrying_inside(self) -> dict[FunctionNode, RetryConstruct]:
        """Functions whose own body retries (a retry loop, a Retrying/retry_context block)."""
        found: dict[FunctionNode, RetryConstruct] = {}
        for construct in self.constructs:
            function = construct.function
            if construct.decorates or function is None or not construct.body:
                continue
            if self.ctx.contains(function, construct.node):
                found.setdefault(function, construct)
        return found

    def callee(self, call: ast.Call) -> RetryConstruct | None:
        function = self._called_function(call)
        if function is None:
            func = call.func
            return self._wrapped_names.get(func.id) if isinstance(func, ast.Name) else None
        return self.functions.get(function) or self._retrying_inside.get(function)

    def _called_function(self, call: ast.Call) -> FunctionNode | None:
        """The module function (`f()`) or method of the caller's class (`self.m()`) called."""
        func = call.func
        if isinstance(func, ast.Name):
            return self._module_function(func)
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
            and (owner := self.ctx.scopes.cls(call)) is not None
        ):
            for node in owner.body:
                if isinstance(node, FUNCTION_TYPES) and node.name == func.attr:
                    return node
        return None

    # -- clients that retry ----------------------------------------------------------

    def client_retry(self, call: RemoteCall) -> ClientRetry | None:
        request = call.request
        if request.library == "stormproof.kit":
            label = "stormproof.kit.Client's built-in retries"
            return ClientRetry(request.node, label, None, frozenset())
        client = request.client
        if client is None or client.ctor is None:
            return None
        if request.library == "requests":
            return self._session_retry(client)
        if request.library == "httpx":
            return self._transport_retry(client.ctor, request.node)
        return None

    def _session_retry(self, client: Instance) -> ClientRetry | None:
        for adapter in self.mounted_adapters(client):
            value = _keywords(adapter).get("max_retries")
            if value is None:
                continue
            value = self._resolved(value, adapter)
            if isinstance(value, ast.Constant) and isinstance(value.value, int):
                if value.value > 0:
                    label = f"its requests Session's adapter, max_retries={value.value}"
                    return ClientRetry(value, label, value.value + 1, frozenset())
                continue
            if isinstance(value, ast.Call) and self.ctx.qualname(value.func) in URLLIB3_RETRY:
                total = _urllib3_total(value)
                if total == 0:
                    continue
                attempts = total + 1 if isinstance(total, int) else None
                label = "its requests Session's urllib3 Retry"
                return ClientRetry(value, label, attempts, _resent_methods(value))
        return None

    def _transport_retry(self, ctor: ast.Call, at: ast.AST) -> ClientRetry | None:
        transport = _keywords(ctor).get("transport")
        if transport is None:
            return None
        transport = self._resolved(transport, at)
        if not (
            isinstance(transport, ast.Call)
            and self.ctx.qualname(transport.func) in HTTPX_TRANSPORTS
        ):
            return None
        retries = _int_keyword(transport, "retries")
        if not retries:
            return None
        label = f"its httpx transport, retries={retries}"
        return ClientRetry(transport, label, retries + 1, frozenset())

    @cached_property
    def _mounts(self) -> list[tuple[Instance, ast.Call]]:
        """(session, adapter constructor) for every `session.mount(prefix, adapter)`."""
        mounts = []
        for node in self.ctx.nodes(ast.Call):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "mount"
                and len(node.args) >= 2
            ):
                continue
            session = self.ctx.instances.resolve(node.func.value, node)
            adapter = self._resolved(node.args[1], node)
            if session is not None and isinstance(adapter, ast.Call):
                mounts.append((session, adapter))
        return mounts

    def mounted_adapters(self, client: Instance) -> list[ast.Call]:
        return [adapter for session, adapter in self._mounts if session == client]

    def _resolved(self, expr: ast.expr, at: ast.AST) -> ast.expr:
        """A name's assigned value (a few steps), or the expression itself."""
        for _ in range(3):
            if not isinstance(expr, ast.Name | ast.Attribute):
                break
            value = self.ctx.values.assigned(expr, at)
            if value is None:
                break
            expr = value
        return expr


def _loop_header(loop: ast.For | ast.AsyncFor | ast.While) -> str:
    if isinstance(loop, ast.While):
        header = f"while {ast.unparse(loop.test)}"
    else:
        prefix = "async for" if isinstance(loop, ast.AsyncFor) else "for"
        header = f"{prefix} {ast.unparse(loop.target)} in {ast.unparse(loop.iter)}"
    return header if len(header) <= 60 else header[:57] + "..."


def _decides_method(call: RemoteCall) -> bool:
    """Whether the HTTP method of `call` is chosen where it is written (a wrapper call site
    only decides it when the wrapper's own request leaves it open)."""
    return call.direct or call.inner is None or call.inner.method is None


def _body_span(construct: RetryConstruct) -> int:
    if not construct.body:
        return 0
    return (construct.body[-1].end_lineno or 0) - construct.body[0].lineno


# -- tenacity, backoff, urllib3 settings ------------------------------------------------

_UNSET = ast.Constant(value=...)


def _keywords(call: ast.Call | None) -> dict[str, ast.expr]:
    if call is None:
        return {}
    return {k.arg: k.value for k in call.keywords if k.arg is not None}


def _has_star_kwargs(call: ast.Call | None) -> bool:
    return call is not None and any(k.arg is None for k in call.keywords)


def _is_none(expr: ast.expr | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _is_zero(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value in (0, 0.0) and expr.value is not False


def _int_keyword(call: ast.Call | None, name: str) -> int | None:
    value = _keywords(call).get(name)
    if isinstance(value, ast.Constant) and type(value.value) is int:
        return value.value
    return None


def _tenacity_settings(ctx: FileContext, call: ast.Call | None) -> tuple[bool | None, Pacing]:
    """(bounded, pacing) of a tenacity `retry`/`Retrying` call; `None` call is a bare `@retry`."""
    if _has_star_kwargs(call):
        return None, Pacing.UNKNOWN
    keywords = _keywords(call)
    stop = keywords.get("stop")
    bounded = stop is not None and not _is_none(stop) and not _is_stop_never(ctx, stop)
    wait = keywords.get("wait")
    if wait is None or _is_none(wait):
        return bounded, Pacing.NONE
    components = _wait_components(ctx, wait, depth=0)
    return bounded, _wait_pacing(components)


def _is_stop_never(ctx: FileContext, stop: ast.expr) -> bool:
    return _tenacity_name(ctx.qualname(stop)) == "stop_never"


def _tenacity_name(qualname: str | None) -> str | None:
    if qualname is None or not qualname.startswith("tenacity."):
        return None
    return qualname.rsplit(".", 1)[-1]


def _wait_components(ctx: FileContext, expr: ast.expr, depth: int) -> list[str | None]:
    """What each `+`-joined part of a tenacity `wait=` does (None: not recognised)."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return _wait_components(ctx, expr.left, depth) + _wait_components(ctx, expr.right, depth)
    if isinstance(expr, ast.Call):
        return [_TENACITY_WAITS.get(_tenacity_name(ctx.qualname(expr.func)) or "")]
    if isinstance(expr, ast.Name) and depth < 3 and ctx.qualname(expr) is None:
        value = ctx.values.assigned(expr, expr)
        if value is not None:
            return _wait_components(ctx, value, depth + 1)
    return [None]


def _wait_pacing(components: Sequence[str | None]) -> Pacing:
    if None in components:
        return Pacing.UNKNOWN
    if not any(c in (_EXPONENTIAL, _GROWING, _JITTERED_GROWTH) for c in components):
        return Pacing.CONSTANT
    jittered = any(c in (_JITTER, _JITTERED_GROWTH) for c in components)
    if _EXPONENTIAL in components and not jittered:
        return Pacing.EXPONENTIAL
    return Pacing.BACKOFF


def _tenacity_attempts(ctx: FileContext, call: ast.Call | None) -> int | None:
    stop = _keywords(call).get("stop")
    if (
        isinstance(stop, ast.Call)
        and _tenacity_name(ctx.qualname(stop.func)) == "stop_after_attempt"
        and stop.args
        and isinstance(stop.args[0], ast.Constant)
        and type(stop.args[0].value) is int
    ):
        return stop.args[0].value
    return None


def _backoff_settings(ctx: FileContext, call: ast.Call) -> tuple[bool | None, Pacing]:
    if _has_star_kwargs(call):
        return None, Pacing.UNKNOWN
    keywords = _keywords(call)
    limits = [keywords.get("max_tries"), keywords.get("max_time")]
    bounded = any(limit is not None and not _is_none(limit) for limit in limits)
    wait_gen = call.args[0] if call.args else keywords.get("wait_gen")
    generator = ctx.qualname(wait_gen) if wait_gen is not None else None
    if generator == "backoff.constant":
        return bounded, Pacing.CONSTANT
    if generator == "backoff.expo":
        jitter_off = _is_none(keywords.get("jitter", _UNSET))
        return bounded, Pacing.EXPONENTIAL if jitter_off else Pacing.BACKOFF
    if generator == "backoff.fibo":
        return bounded, Pacing.BACKOFF
    return bounded, Pacing.UNKNOWN


def _retrying_settings(call: ast.Call | None) -> tuple[bool | None, Pacing]:
    """(bounded, pacing) of the `retrying` library's `@retry(...)` (None: bare `@retry`)."""
    if _has_star_kwargs(call):
        return None, Pacing.UNKNOWN
    keywords = _keywords(call)
    stops = ("stop_max_attempt_number", "stop_max_delay", "stop", "stop_func")
    bounded = any(k in keywords and not _is_none(keywords[k]) for k in stops)
    waits = {k for k in keywords if k.startswith("wait")}
    if "wait_func" in waits:
        return bounded, Pacing.UNKNOWN
    if waits & {"wait_exponential_multiplier", "wait_exponential_max"}:
        jittered = "wait_jitter_max" in keywords
        return bounded, Pacing.BACKOFF if jittered else Pacing.EXPONENTIAL
    if waits & {"wait_incrementing_start", "wait_incrementing_increment"}:
        return bounded, Pacing.BACKOFF
    # wait_fixed, wait_random_min/max: the delay does not grow.
    return bounded, Pacing.CONSTANT if waits else Pacing.NONE


def _urllib3_total(call: ast.Call) -> int | None:
    """`total` of a urllib3 Retry: its attempts after the first (10 by default)."""
    total = call.args[0] if call.args else _keywords(call).get("total")
    if total is None:
        return 10
    if isinstance(total, ast.Constant) and type(total.value) is int:
        return total.value
    return None


def _resent_methods(retry: ast.Call) -> frozenset[str]:
    """Unsafe methods a urllib3 Retry explicitly allows to be re-sent."""
    keywords = _keywords(retry)
    methods = keywords.get("allowed_methods", keywords.get("method_whitelist"))
    if methods is None:
        return frozenset()
    if isinstance(methods, ast.Constant) and methods.value in (None, False):
        return UNSAFE_METHODS  # every method is retried
    listed = {
        node.value.upper()
        for node in ast.walk(methods)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    return frozenset(listed & UNSAFE_METHODS)


# -- retry loops ------------------------------------------------------------------------


class _LoopFacts:
    """What a loop does with its remote calls: retries them, how bounded, how paced."""

    def __init__(self, ctx: FileContext, loop: ast.For | ast.AsyncFor | ast.While) -> None:
        self.ctx = ctx
        self.loop = loop
        self.nodes = ctx.run_nodes(loop.body)
        self.header = self._header()

    def _header(self) -> str | None:
        """'bounded', 'unbounded' or None (a loop over data, not attempts)."""
        loop = self.loop
        if isinstance(loop, ast.While):
            test = loop.test
            forever = isinstance(test, ast.Constant) and bool(test.value)
            return "unbounded" if forever else "bounded"
        if not isinstance(loop.iter, ast.Call):
            return None
        func = loop.iter.func
        if isinstance(func, ast.Name) and func.id == "range":
            return "bounded"
        if self.ctx.qualname(func) == "itertools.count":
            return "unbounded"
        return None

    def is_retry(self, remote_by_node: dict[ast.Call, RemoteCall]) -> bool:
        calls = {n for n in self.nodes if isinstance(n, ast.Call) and n in remote_by_node}
        if not calls:
            return False
        return self._exits_on_success() and (
            self._retries_on_exception(calls) or self._continues_on_status()
        )

    def _retries_on_exception(self, calls: set[ast.Call]) -> bool:
        for node in self.nodes:
            if not isinstance(node, ast.Try | ast.TryStar):
                continue
            in_body = {n for n in self.ctx.run_nodes(node.body) if isinstance(n, ast.Call)}
            if in_body & calls and any(_falls_through(h) for h in node.handlers):
                return True
        return False

    def _continues_on_status(self) -> bool:
        for node in self.nodes:
            if (
                isinstance(node, ast.If)
                and self._checks_error_status(node.test)
                and any(isinstance(n, ast.Continue) for n in self._own(node.body))
            ):
                return True
        return False

    def _checks_error_status(self, test: ast.expr) -> bool:
        """`not resp.ok`, `resp.is_error`, `resp.status_code in (502, 503)`, `>= 500`, …"""
        for node in ast.walk(test):
            if isinstance(node, ast.Attribute) and node.attr in ("is_error", "is_server_error"):
                return True
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
                operand = node.operand
                if isinstance(operand, ast.Attribute) and operand.attr in ("ok", "is_success"):
                    return True
        reads_status = any(
            isinstance(n, ast.Attribute) and n.attr in STATUS_ATTRIBUTES for n in ast.walk(test)
        )
        return reads_status and any(code >= 400 for code in self._int_constants(test))

    def _int_constants(self, expr: ast.expr) -> Iterator[int]:
        for node in self.ctx.walk(expr):
            if isinstance(node, ast.Constant) and type(node.value) is int:
                yield node.value
            elif isinstance(node, ast.Name):
                value = self.ctx.values.assigned(node, self.loop)
                if value is not None:
                    yield from (
                        n.value
                        for n in self.ctx.walk(value)
                        if isinstance(n, ast.Constant) and type(n.value) is int
                    )

    def _exits_on_success(self) -> bool:
        handlers = [n for n in self.nodes if isinstance(n, ast.ExceptHandler)]
        in_handlers = {id(n) for h in handlers for n in self.ctx.run_nodes(h.body)}
        exits = self._leaving(self.loop.body, raising=False)
        return any(id(n) not in in_handlers for n in exits)

    def _leaving(self, statements: list[ast.stmt], *, raising: bool) -> Iterator[ast.AST]:
        """`return`s (and `raise`s) anywhere in `statements`, and `break`s that end this loop."""
        leaving = ast.Return | ast.Raise if raising else ast.Return
        for node in self.ctx.run_nodes(statements):
            if isinstance(node, leaving):
                yield node
        for node in self._own(statements):
            if isinstance(node, ast.Break):
                yield node

    def _own(self, statements: Iterable[ast.AST]) -> Iterator[ast.AST]:
        """Nodes of `statements` that belong to this loop (not to a loop nested in it)."""
        stack = list(statements)
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, NESTED_SCOPES):
                continue
            if isinstance(node, ast.For | ast.AsyncFor | ast.While):
                stack.extend(node.orelse)  # `break`/`continue` in the body are the inner loop's
                continue
            stack.extend(ast.iter_child_nodes(node))

    # -- bounds ------------------------------------------------------------------------

    @cached_property
    def assigned(self) -> dict[str, list[ast.expr]]:
        """Names (re)bound in the loop, with the values bound (augmented ones included).

        Names bound with no readable value (the `for` target, `except ... as exc`, `with ...
        as resp`) map to an empty list.
        """
        bound: dict[str, list[ast.expr]] = {}
        opaque = [self.loop.target] if isinstance(self.loop, ast.For | ast.AsyncFor) else []
        for node in self.nodes:
            if isinstance(node, ast.ExceptHandler) and node.name:
                bound.setdefault(node.name, [])
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                opaque.append(node.optional_vars)
        for target in opaque:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    bound.setdefault(name.id, [])
        for node in self.nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AugAssign | ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if isinstance(target, ast.Name):
                bound.setdefault(target.id, []).append(
                    ast.BinOp(target, node.op, value) if isinstance(node, ast.AugAssign) else value
                )
        return bound

    @cached_property
    def counters(self) -> set[str]:
        """Names that count attempts: the `for` target and names stepped in the loop."""
        names = set()
        if isinstance(self.loop, ast.For | ast.AsyncFor):
            names |= {n.id for n in ast.walk(self.loop.target) if isinstance(n, ast.Name)}
        for name, values in self.assigned.items():
            if any(_refers_to(value, name) for value in values):
                names.add(name)
        return names

    @cached_property
    def growing(self) -> set[str]:
        """Names multiplied by themselves in the loop: `delay *= 2`, `delay = min(delay * 2, c)`."""
        return {
            name
            for name, values in self.assigned.items()
            if any(_multiplies(value, name) for value in values)
        }

    @property
    def bounded(self) -> bool:
        return self.header == "bounded" or any(
            isinstance(node, ast.If) and self._is_bound_check(node) for node in self.nodes
        )

    def _is_bound_check(self, node: ast.If) -> bool:
        if not any(self._leaving(node.body, raising=True)):
            return False
        names = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
        return bool(names & self.counters) or self._reads_clock(node.test)

    def _reads_clock(self, expr: ast.expr) -> bool:
        for node in self.ctx.walk(expr):
            if isinstance(node, ast.Call) and self._is_clock(node):
                return True
            if isinstance(node, ast.Name):
                value = self.ctx.values.assigned(node, self.loop)
                if value is not None and any(
                    isinstance(n, ast.Call) and self._is_clock(n) for n in self.ctx.walk(value)
                ):
                    return True
        return False

    def _is_clock(self, call: ast.Call) -> bool:
        if self.ctx.qualname(call.func) in CLOCKS:
            return True
        # loop.time(), datetime.now(): clocks reached through an object.
        return isinstance(call.func, ast.Attribute) and call.func.attr in (
            "time",
            "monotonic",
            "now",
        )

    @property
    def attempts(self) -> int | None:
        loop = self.loop
        if (
            isinstance(loop, ast.For)
            and isinstance(loop.iter, ast.Call)
            and len(loop.iter.args) == 1
            and isinstance(loop.iter.args[0], ast.Constant)
            and type(loop.iter.args[0].value) is int
        ):
            return loop.iter.args[0].value
        return None

    # -- pacing ------------------------------------------------------------------------

    @property
    def pacing(self) -> Pacing:
        delays = [
            self._delay(n) for n in self.nodes if isinstance(n, ast.Call) and self._is_sleep(n)
        ]
        if not delays:
            return Pacing.NONE
        # Several sleeps (one per failure path) are judged together; one we cannot read
        # (no delay argument) makes the whole pacing unknown.
        kinds = {Pacing.UNKNOWN if d is None else self._delay_pacing(d) for d in delays}
        for pacing in (Pacing.EXPONENTIAL, Pacing.BACKOFF, Pacing.UNKNOWN):
            if pacing in kinds:
                return pacing
        return Pacing.CONSTANT

    def _is_sleep(self, call: ast.Call) -> bool:
        return self.ctx.qualname(call.func) in SLEEPS

    @staticmethod
    def _delay(call: ast.Call) -> ast.expr | None:
        if call.args:
            return call.args[0]
        keywords = _keywords(call)
        return keywords.get("delay", keywords.get("seconds", keywords.get("secs")))

    def _delay_pacing(self, delay: ast.expr) -> Pacing:
        parts = self._expanded(delay)
        names = {n.id for part in parts for n in ast.walk(part) if isinstance(n, ast.Name)}
        calls = [n for part in parts for n in ast.walk(part) if isinstance(n, ast.Call)]
        jittered = any(self._is_random(c) for c in calls) or any("jitter" in n for n in names)
        exponential = bool(names & self.growing) or any(
            _is_power(n) for part in parts for n in ast.walk(part)
        )
        if exponential:
            return Pacing.BACKOFF if jittered else Pacing.EXPONENTIAL
        if names & (self.counters | self.growing):
            return Pacing.BACKOFF
        opaque = {name for name, values in self.assigned.items() if not values}
        unknown = [c for c in calls if not self._is_random(c) and not self._shapes_delay(c)]
        return Pacing.UNKNOWN if unknown or names & opaque else Pacing.CONSTANT

    def _expanded(self, delay: ast.expr) -> list[ast.expr]:
        """The delay and the values of the loop variables it is computed from (two levels)."""
        parts, frontier = [delay], [delay]
        for _ in range(2):
            values = [
                value
                for expr in frontier
                for name in ast.walk(expr)
                if isinstance(name, ast.Name) and name.id not in self.counters
                for value in self.assigned.get(name.id, [])
            ]
            parts.extend(values)
            frontier = values
        return parts

    def _is_random(self, call: ast.Call) -> bool:
        qualname = self.ctx.qualname(call.func) or ""
        if qualname.startswith(("random.", "secrets.", "numpy.random.")):
            return True
        name = (
            call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
        )
        return any(word in name for word in ("random", "uniform", "jitter"))

    def _shapes_delay(self, call: ast.Call) -> bool:
        qualname = self.ctx.qualname(call.func) or ""
        if qualname.startswith("math."):
            return True
        return isinstance(call.func, ast.Name) and call.func.id in _DELAY_SHAPERS


def _falls_through(handler: ast.ExceptHandler) -> bool:
    """Whether an except handler can end without leaving the loop (a retry)."""
    return not any(isinstance(s, ast.Raise | ast.Return | ast.Break) for s in handler.body)


def _refers_to(expr: ast.expr, name: str) -> bool:
    """`x + 1`, `x - 1` (stepping `x`)."""
    return any(
        isinstance(n, ast.BinOp)
        and isinstance(n.op, ast.Add | ast.Sub)
        and any(isinstance(s, ast.Name) and s.id == name for s in (n.left, n.right))
        for n in ast.walk(expr)
    )


def _multiplies(expr: ast.expr, name: str) -> bool:
    return any(
        isinstance(n, ast.BinOp)
        and isinstance(n.op, ast.Mult | ast.Pow | ast.LShift)
        and any(isinstance(s, ast.Name) and s.id == name for s in (n.left, n.right))
        for n in ast.walk(expr)
    )


def _is_power(node: ast.AST) -> bool:
    """`2 ** n`, `1 << n`, `pow(2, n)`, `math.pow(2, n)`."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow | ast.LShift):
        return not isinstance(node.right, ast.Constant)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name == "pow" and len(node.args) == 2 and not isinstance(node.args[1], ast.Constant)
    return False
