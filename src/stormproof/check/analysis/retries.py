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
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property

from stormproof.check.analysis import kit
from stormproof.check.analysis.instances import Instance
from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.analysis.retry_loops import LoopFacts
from stormproof.check.analysis.retry_model import (
    BACKOFF_DECORATORS,
    CLOCKS,
    HTTPX_TRANSPORTS,
    RETRY_MODULES,
    RETRYING_DECORATORS,
    SLEEPS,
    STAMINA_BLOCKS,
    STAMINA_DECORATORS,
    STATUS_ATTRIBUTES,
    TENACITY_BLOCKS,
    TENACITY_DECORATORS,
    URLLIB3_RETRY,
    ClientRetry,
    Pacing,
    RetryConstruct,
)
from stormproof.check.analysis.retry_settings import (
    UNSET,
    backoff_settings,
    int_keyword,
    is_none,
    is_zero,
    keywords_of,
    resent_methods,
    retrying_settings,
    tenacity_attempts,
    tenacity_settings,
    urllib3_total,
)
from stormproof.check.analysis.scopes import FUNCTION_TYPES, NESTED_SCOPES, FunctionNode
from stormproof.check.context import FileContext


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
            bounded, pacing = tenacity_settings(self.ctx, call)
            attempts = tenacity_attempts(self.ctx, call)
            return RetryConstruct(
                "tenacity", config, f"{kind}{name}", body, function, bounded, pacing, attempts
            )
        if qualname in BACKOFF_DECORATORS and call is not None:
            bounded, pacing = backoff_settings(self.ctx, call)
            attempts = int_keyword(call, "max_tries")
            label = f"@{qualname}{name}"
            return RetryConstruct(
                "backoff", config, label, body, function, bounded, pacing, attempts
            )
        if qualname in RETRYING_DECORATORS:
            bounded, pacing = retrying_settings(call)
            attempts = int_keyword(call, "stop_max_attempt_number")
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
        keywords = keywords_of(call)
        # stamina bounds attempts (10) and time (45 s) unless both are switched off.
        unbounded = is_none(keywords.get("attempts", UNSET)) and is_none(
            keywords.get("timeout", UNSET)
        )
        attempts = int_keyword(call, "attempts") if call is not None else None
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
            bounded, pacing = tenacity_settings(self.ctx, call)
            attempts = tenacity_attempts(self.ctx, call)
            label = f"tenacity {qualname.rsplit('.', 1)[-1]}"
            return RetryConstruct(
                "tenacity", call, label, body, function, bounded, pacing, attempts
            )
        return None

    def _urllib3(self, call: ast.Call) -> RetryConstruct:
        keywords = keywords_of(call)
        factor = keywords.get("backoff_factor")
        if factor is None or is_zero(factor):
            pacing = Pacing.NONE
        elif "backoff_jitter" in keywords and not is_zero(keywords["backoff_jitter"]):
            pacing = Pacing.BACKOFF
        else:
            pacing = Pacing.EXPONENTIAL
        total = urllib3_total(call)
        attempts = total + 1 if isinstance(total, int) else None
        label = "urllib3 Retry"
        return RetryConstruct("urllib3", call, label, (), None, True, pacing, attempts)

    def _loop(self, loop: ast.For | ast.AsyncFor | ast.While) -> RetryConstruct | None:
        facts = LoopFacts(self.ctx, loop)
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
        if kit.retries(request.client):
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
            value = keywords_of(adapter).get("max_retries")
            if value is None:
                continue
            value = self._resolved(value, adapter)
            if isinstance(value, ast.Constant) and isinstance(value.value, int):
                if value.value > 0:
                    label = f"its requests Session's adapter, max_retries={value.value}"
                    return ClientRetry(value, label, value.value + 1, frozenset())
                continue
            if isinstance(value, ast.Call) and self.ctx.qualname(value.func) in URLLIB3_RETRY:
                total = urllib3_total(value)
                if total == 0:
                    continue
                attempts = total + 1 if isinstance(total, int) else None
                label = "its requests Session's urllib3 Retry"
                return ClientRetry(value, label, attempts, resent_methods(value))
        return None

    def _transport_retry(self, ctor: ast.Call, at: ast.AST) -> ClientRetry | None:
        transport = keywords_of(ctor).get("transport")
        if transport is None:
            return None
        transport = self._resolved(transport, at)
        if not (
            isinstance(transport, ast.Call)
            and self.ctx.qualname(transport.func) in HTTPX_TRANSPORTS
        ):
            return None
        retries = int_keyword(transport, "retries")
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


__all__ = [
    "BACKOFF_DECORATORS",
    "CLOCKS",
    "HTTPX_TRANSPORTS",
    "NESTED_SCOPES",
    "RETRYING_DECORATORS",
    "RETRY_MODULES",
    "SLEEPS",
    "STAMINA_BLOCKS",
    "STAMINA_DECORATORS",
    "STATUS_ATTRIBUTES",
    "TENACITY_BLOCKS",
    "TENACITY_DECORATORS",
    "URLLIB3_RETRY",
    "ClientRetry",
    "Pacing",
    "RetryConstruct",
    "client_retry",
    "mounted_adapters",
    "retried_calls",
    "retry_constructs",
    "retry_settings",
    "retrying_callee",
    "retrying_functions",
]
