"""Rules of the `error-handling` category: remote failures that vanish."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.analysis.retries import (
    NESTED_SCOPES,
    SLEEPS,
    retry_constructs,
)
from stormproof.check.analysis.scopes import FUNCTION_TYPES
from stormproof.check.context import FileContext
from stormproof.check.finding import Finding
from stormproof.check.rule import Rule

BUILTIN_BROAD = frozenset({"Exception", "BaseException"})
# The base error of each HTTP library: catching it catches every failure of a call.
LIBRARY_BASE_ERRORS = frozenset(
    {
        "requests.RequestException",
        "requests.exceptions.RequestException",
        "httpx.HTTPError",
        "aiohttp.ClientError",
        "aiohttp.client_exceptions.ClientError",
    }
)
# Calls that end the handler's flow as surely as `raise`.
LEAVING_CALLS = frozenset(
    {"sys.exit", "os._exit", "flask.abort", "werkzeug.exceptions.abort", "pytest.fail"}
)
LEAVING_BUILTINS = frozenset({"exit", "quit"})
# Calls that only report a failure to people (logs, error trackers, metrics): a handler
# made of these (and placeholder assignments) lets the code go on as if nothing failed.
REPORTING_METHODS = frozenset(
    {
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "fatal",
        "log",
        "print_exc",
        "print_exception",
        "capture_exception",
        "capture_message",
        "record_exception",
        "set_status",
        "inc",
        "increment",
        "incr",
        "observe",
    }
)
REPORTING_MODULES = ("logging.", "sentry_sdk.", "traceback.", "warnings.")
SUPPRESS = "contextlib.suppress"
# Statements whose body a failure can be caught around: `try`, `with contextlib.suppress(...)`.
Guard = ast.Try | ast.With | ast.AsyncWith


class SwallowedRemoteFailure(Rule):
    id = "SP001"
    name = "swallowed-remote-failure"
    category = "error-handling"
    severity = "error"
    summary = (
        "A broad `except` around a remote call that neither re-raises, returns nor records it."
    )
    why = (
        "When a call to another service fails and a broad handler only passes, logs or fills "
        "in a placeholder, the code carries on as if the call had worked: an order is marked "
        "paid without a charge, a page renders made-up stock, an invoice is finalised with no "
        "tax. The caller gets a success for work that did not happen, nothing upstream can "
        "retry or compensate, and the only trace is a log line nobody connects to the bad data."
    )
    bad = """\
import logging
import os

import requests
from fastapi import HTTPException

logger = logging.getLogger(__name__)
PAYMENTS_URL = os.environ["PAYMENTS_URL"]

def checkout(cart_id: str, amount_cents: int) -> dict:
    try:
        resp = requests.post(f"{PAYMENTS_URL}/charges", json={"cart": cart_id}, timeout=5)
        resp.raise_for_status()
    except Exception as exc:
        logger.warning("charge failed: %s", exc)
    return {"cart_id": cart_id, "status": "paid"}
"""
    good = """\
import logging
import os

import requests
from fastapi import HTTPException

logger = logging.getLogger(__name__)
PAYMENTS_URL = os.environ["PAYMENTS_URL"]

def checkout(cart_id: str, amount_cents: int) -> dict:
    try:
        resp = requests.post(f"{PAYMENTS_URL}/charges", json={"cart": cart_id}, timeout=5)
        resp.raise_for_status()
    except requests.RequestException as exc:
        logger.warning("charge failed: %s", exc)
        raise HTTPException(status_code=502, detail="payment service unavailable") from exc
    return {"cart_id": cart_id, "status": "paid"}
"""
    defaults = (
        "Broad handlers: bare `except:`, `Exception`, `BaseException`, and the HTTP libraries' "
        "base errors `requests.RequestException`, `httpx.HTTPError`, `aiohttp.ClientError` "
        "(also in `contextlib.suppress(...)`). A handler is fine when it raises, returns, "
        "breaks/continues a loop, exits, or sets a flag or error list that the code checks "
        "later; in a retry loop, falling through to the next attempt is a retry."
    )
    fix = "re-raise (or raise a domain error), return an explicit failure, or set a flag you check"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        guarded = _guarded_calls(ctx)
        if not guarded:
            return
        retry_loops = {id(c.node) for c in retry_constructs(ctx) if c.kind == "loop"}
        for node, calls in guarded.items():
            if _skips_iteration(ctx, node, retry_loops):
                continue
            first = min(calls, key=lambda c: (c.node.lineno, c.node.col_offset))
            if isinstance(node, ast.Try):
                # With an `else:` block, the code that needs the call's result runs only on
                # success: the handler does not let it proceed as if the call had worked.
                if node.orelse:
                    continue
                handler = next(
                    (
                        h
                        for h in node.handlers
                        if _is_broad(ctx, h.type) and _swallows(ctx, node, h)
                    ),
                    None,
                )
                if handler is not None:
                    yield self._finding(ctx, _caught(handler), first, handler)
            else:
                suppress = _broad_suppress(ctx, node)
                if suppress is not None:
                    yield self._finding(ctx, ast.unparse(suppress), first, None)

    def _finding(
        self,
        ctx: FileContext,
        caught: str,
        call: RemoteCall,
        handler: ast.ExceptHandler | None,
    ) -> Finding:
        """A finding at the (first) remote call whose failure the handler swallows."""
        consequence = (
            f"{ctx.service_name} carries on as if the call had succeeded"
            if ctx.service_name
            else "the code carries on as if the call had succeeded"
        )
        line = f" (line {handler.lineno})" if handler is not None else ""
        return ctx.finding(
            self,
            call.node,
            f"`{caught}`{line} around {call.describe()} swallows its failure "
            f"({_handling(handler)}); {consequence}",
        )


def _guarded_calls(ctx: FileContext) -> dict[Guard, list[RemoteCall]]:
    """Each `try` and `with` whose body (not its handlers, nor a nested function) makes a
    remote call, with those calls: found from the calls upwards, not by walking every body."""
    guarded: dict[Guard, list[RemoteCall]] = {}
    for call in ctx.remote_calls:
        child: ast.AST = call.node
        for ancestor in ctx.scopes.ancestors(call.node):
            if isinstance(ancestor, NESTED_SCOPES):
                break
            if isinstance(ancestor, Guard) and any(
                statement is child for statement in ancestor.body
            ):
                guarded.setdefault(ancestor, []).append(call)
            child = ancestor
    return guarded


def _caught(handler: ast.ExceptHandler) -> str:
    return "except:" if handler.type is None else f"except {ast.unparse(handler.type)}"


def _is_broad(ctx: FileContext, caught: ast.expr | None) -> bool:
    if caught is None:
        return True
    if isinstance(caught, ast.Tuple):
        return any(_is_broad(ctx, element) for element in caught.elts)
    if isinstance(caught, ast.Name) and ctx.qualname(caught) is None:
        return caught.id in BUILTIN_BROAD
    return ctx.qualname(caught) in LIBRARY_BASE_ERRORS


def _broad_suppress(ctx: FileContext, node: ast.With | ast.AsyncWith) -> ast.Call | None:
    for item in node.items:
        expr = item.context_expr
        if (
            isinstance(expr, ast.Call)
            and ctx.qualname(expr.func) == SUPPRESS
            and any(_is_broad(ctx, arg) for arg in expr.args)
        ):
            return expr
    return None


def _handling(handler: ast.ExceptHandler | None) -> str:
    """What the handler does instead of handling, for the message."""
    if handler is None:
        return "contextlib.suppress discards it"
    statements = [s for s in handler.body if not _is_docstring(s)]
    if all(isinstance(s, ast.Pass) or _is_ellipsis(s) for s in statements):
        return "the handler only passes"
    assigns = any(isinstance(s, ast.Assign | ast.AnnAssign | ast.AugAssign) for s in statements)
    logs = any(isinstance(s, ast.Expr) for s in statements)
    if assigns and logs:
        return "the handler logs it and fills in a placeholder"
    if assigns:
        return "the handler fills in a placeholder"
    return "the handler only logs it"


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _is_ellipsis(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and statement.value.value is Ellipsis
    )


# -- does the handler handle it? -------------------------------------------------------


def _swallows(ctx: FileContext, try_node: ast.Try, handler: ast.ExceptHandler) -> bool:
    return (
        _only_reports_or_assigns(ctx, handler.body)
        and not _leaves(ctx, handler)
        and not _records(ctx, try_node, handler)
    )


def _only_reports_or_assigns(ctx: FileContext, statements: list[ast.stmt]) -> bool:
    """Whether a handler only passes, logs/prints/reports, or assigns: the shapes of a
    swallow. Any other call (`db.rollback()`, `compensate(order)`) may handle the failure."""
    for statement in statements:
        if isinstance(statement, ast.If):
            if not (
                _only_reports_or_assigns(ctx, statement.body)
                and _only_reports_or_assigns(ctx, statement.orelse)
            ):
                return False
        elif isinstance(statement, ast.Expr):
            value = (
                statement.value.value if isinstance(statement.value, ast.Await) else statement.value
            )
            if isinstance(value, ast.Call) and not _is_reporting(ctx, value):
                return False
        elif not isinstance(statement, ast.Pass | ast.Assign | ast.AnnAssign | ast.AugAssign):
            return False
    return True


def _is_reporting(ctx: FileContext, call: ast.Call) -> bool:
    qualname = ctx.qualname(call.func) or ""
    if qualname.startswith(REPORTING_MODULES):
        return True
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "print"
    return isinstance(func, ast.Attribute) and func.attr in REPORTING_METHODS


def _leaves(ctx: FileContext, handler: ast.ExceptHandler) -> bool:
    """Whether the handler raises, returns, breaks, continues, yields (an error event) or
    exits, conditionally too."""
    for node in ctx.run_nodes(handler.body):
        if isinstance(
            node, ast.Raise | ast.Return | ast.Break | ast.Continue | ast.Yield | ast.YieldFrom
        ):
            return True
        if isinstance(node, ast.Call):
            qualname = ctx.qualname(node.func)
            if qualname in LEAVING_CALLS:
                return True
            if (
                qualname is None
                and isinstance(node.func, ast.Name)
                and node.func.id in LEAVING_BUILTINS
            ):
                return True
    return False


def _records(ctx: FileContext, try_node: ast.Try, handler: ast.ExceptHandler) -> bool:
    """Whether the failure is recorded somewhere the code looks at later.

    A flag (`ok = False`, `error = exc`, `errors[k] = ...`) counts when it is read again;
    a placeholder (`data = {}`), or a result the `try` would have set, counts only when a
    later test looks at the name itself (`if data is None`, `if not rate`). Object state
    (`self.healthy = False`, `order.status = "failed"`) and globals count: other code reads them.
    """
    scope = ctx.enclosing_function(try_node)
    flags, placeholders = _handler_writes(ctx, handler, _shared_names(ctx, scope))
    if flags is None:
        return True
    placeholders |= _assigned_names(ctx, try_node.body)
    inside = {id(n) for n in ctx.run_nodes(handler.body)}
    later = [
        n
        for n in ctx.run_nodes(scope.body if scope is not None else ctx.tree.body)
        if id(n) not in inside and _after_or_around(ctx, n, try_node)
    ]
    read = {n.id for n in later if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return bool(flags & read) or bool(placeholders & _tested_names(ctx, later))


def _shared_names(ctx: FileContext, scope: ast.AST | None) -> set[str]:
    """Names a function declares `global`/`nonlocal`: state that outlives the call."""
    if scope is None:
        return set()
    return {
        name
        for node in ctx.walk(scope)
        if isinstance(node, ast.Global | ast.Nonlocal)
        for name in node.names
    }


def _handler_writes(
    ctx: FileContext, handler: ast.ExceptHandler, shared: set[str]
) -> tuple[set[str] | None, set[str]]:
    """(flag names, placeholder names) the handler writes; flags None when it writes state
    that other code reads (an attribute, a global)."""
    flags: set[str] = set()
    placeholders: set[str] = set()
    for node in ctx.run_nodes(handler.body):
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        elif isinstance(node, ast.AugAssign):  # failures += 1: a counter is a flag
            targets = [node.target]
        for target in targets:
            base = _base_name(target)
            if isinstance(target, ast.Attribute) or base in shared:
                return None, placeholders
            if base is None:
                continue
            if (
                isinstance(target, ast.Name)
                and value is not None
                and not _is_flag_value(value, handler.name)
            ):
                placeholders.add(base)
            else:
                flags.add(base)
    return flags, placeholders


def _base_name(target: ast.expr) -> str | None:
    """`x` for `x`, `x.a`, `x[k]`, `x.a[k]`."""
    while isinstance(target, ast.Attribute | ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _is_flag_value(value: ast.expr, exception_name: str | None) -> bool:
    """`True`/`False`, or a value built from the caught exception (`error = exc`)."""
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return True
    return exception_name is not None and any(
        isinstance(n, ast.Name) and n.id == exception_name for n in ast.walk(value)
    )


def _assigned_names(ctx: FileContext, statements: list[ast.stmt]) -> set[str]:
    names = set()
    for node in ctx.run_nodes(statements):
        if isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def _after_or_around(ctx: FileContext, node: ast.AST, try_node: ast.Try) -> bool:
    """After the `try`, or the condition of a loop around it (read again on the next pass)."""
    line = getattr(node, "lineno", None)
    if line is not None and line > (try_node.end_lineno or try_node.lineno):
        return True
    return any(
        isinstance(loop, ast.While) and ctx.contains(loop.test, node)
        for loop in ctx.scopes.ancestors(try_node)
    )


def _tested_names(ctx: FileContext, nodes: list[ast.AST]) -> set[str]:
    """Names a condition looks at directly (`x is None`, `not x`), not through `x.attr`/`x[k]`."""
    tests: list[ast.expr] = []
    for node in nodes:
        if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
            tests.append(node.test)
        elif isinstance(node, ast.comprehension):
            tests.extend(node.ifs)
        elif isinstance(node, ast.BoolOp):
            tests.extend(node.values)
    names = set()
    for test in tests:
        for name in ctx.walk(test):
            if isinstance(name, ast.Name) and not isinstance(
                ctx.scopes.parent.get(name), ast.Attribute | ast.Subscript
            ):
                names.add(name.id)
    return names


def _skips_iteration(ctx: FileContext, node: ast.stmt, retry_loops: set[int]) -> bool:
    """Whether a failure only ends this pass of a loop: a retry loop, or a `try` that is the
    last statement of a loop body (only sleeps may follow), so the handler falls through to
    the next item or attempt instead of into code that needs the call's result."""
    for ancestor in ctx.scopes.ancestors(node):
        if isinstance(ancestor, FUNCTION_TYPES):
            break
        if id(ancestor) in retry_loops:
            return True
    loop = ctx.scopes.parent.get(node)
    if not isinstance(loop, ast.For | ast.AsyncFor | ast.While) or node not in loop.body:
        return False
    rest = loop.body[loop.body.index(node) + 1 :]
    return all(_is_sleep(ctx, statement) for statement in rest)


def _is_sleep(ctx: FileContext, statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.Expr):
        return False
    value = statement.value.value if isinstance(statement.value, ast.Await) else statement.value
    return isinstance(value, ast.Call) and ctx.qualname(value.func) in SLEEPS


RULES: list[type[Rule]] = [SwallowedRemoteFailure]
