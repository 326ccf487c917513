"""Whether an outgoing request carries an idempotency key.

A key is a header whose name contains "idempotency" or is `X-Request-ID`/`Request-Id`
(any case), or a JSON/form body field `idempotency_key`/`request_id`. Both are read from
a dict literal at the call, or from a name bound to one (in the same function or the
module); `d["Idempotency-Key"] = ...`, `d.update({...})` and `d.setdefault(...)` on that
name count. Headers that cannot be read (built elsewhere, passed in, `**kwargs`) count as
carrying a key, so that rules using this stay precise; a body that cannot be read does not.

How a request's arguments are read through a one-level wrapper (`request_argument`,
`arguments_unknown`) is shared with the trace-context analysis, which reads headers the
same way.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.analysis.scopes import FunctionNode
from stormproof.check.context import FileContext

KEY_HEADERS = frozenset({"x-request-id", "request-id"})
KEY_BODY_FIELDS = frozenset({"idempotency_key", "request_id"})
_MAX_DEPTH = 3


def is_key_header(name: str) -> bool:
    """Whether a header name is an idempotency key (`Idempotency-Key`, `X-Request-ID`, …)."""
    lowered = name.lower()
    return "idempotency" in lowered or lowered in KEY_HEADERS


def is_key_field(name: str) -> bool:
    """Whether a request body field is an idempotency key (`idempotency_key`, `request_id`)."""
    return name.lower() in KEY_BODY_FIELDS


@dataclass(frozen=True, slots=True)
class _Lookup:
    matches: Callable[[str], bool]
    # The answer when a key cannot be read: a `**spread`, a computed key, a value built elsewhere.
    unreadable: bool


_HEADERS = _Lookup(is_key_header, unreadable=True)
_BODY = _Lookup(is_key_field, unreadable=False)


# Request arguments that can carry a key, and how to read them.
_SOURCES = (("headers", _HEADERS), ("json", _BODY), ("data", _BODY), ("params", _BODY))


def carries_idempotency_key(ctx: FileContext, call: RemoteCall) -> bool:
    """Whether the request `call` sends carries a key (or might: see the module docstring).

    For a call through a one-level wrapper, the wrapper's own request is examined, and its
    arguments that come from the wrapper's parameters (or its `**kwargs`) are read at the
    call site.
    """
    request = call.request
    if request.library not in ("requests", "httpx", "aiohttp"):
        return True  # urllib Request objects and gRPC metadata are not read
    if arguments_unknown(call):
        return True
    for name, lookup in _SOURCES:
        expr, at = request_argument(call, name)
        if expr is not None and _carries(ctx, expr, at, lookup, 0):
            return True
    return False


def arguments_unknown(call: RemoteCall) -> bool:
    """Whether the request `call` sends takes arguments that cannot be read: a `**spread`
    at the request (unless it forwards the wrapper's `**kwargs`) or at the call site that
    feeds it."""
    forwarded = call.wrapper is not None and call.inner is not None and _forwards_kwargs(call)
    if forwarded:
        return call.has_star_kwargs
    return call.request.has_star_kwargs or (call.inner is not None and call.has_star_kwargs)


def request_argument(call: RemoteCall, name: str) -> tuple[ast.expr | None, ast.AST]:
    """The `name=` argument of the request `call` sends, and the node to resolve it at.

    For a call of a one-level wrapper, an argument the wrapper takes from one of its
    parameters (or its `**kwargs`) is what the call site passes, read at the call site;
    a parameter the call site leaves out is its default, read at the wrapper.
    """
    site = call if call.inner is not None else None
    return _argument(call.request, site, name)


def _forwards_kwargs(call: RemoteCall) -> bool:
    """Whether the wrapper passes its own `**kwargs` on to its request."""
    assert call.wrapper is not None and call.inner is not None
    kwarg = call.wrapper.args.kwarg
    return kwarg is not None and any(
        k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kwarg.arg
        for k in call.inner.node.keywords
    )


def _argument(
    request: RemoteCall, site: RemoteCall | None, name: str
) -> tuple[ast.expr | None, ast.AST]:
    """The `name=` argument of a request, followed back to the wrapper's call site when it
    is one of the wrapper's parameters (or arrives through its `**kwargs`)."""
    expr = request.keyword(name)
    if site is None or site.wrapper is None:
        return expr, request.node
    if expr is None:
        return (site.keyword(name), site.node) if _forwards_kwargs(site) else (None, request.node)
    if isinstance(expr, ast.Name) and _is_parameter(site.wrapper, expr.id):
        passed = _passed_for(site, site.wrapper, expr.id)
        if passed is not None:
            return passed, site.node
        return _default_of(site.wrapper, expr.id), site.wrapper
    return expr, request.node


def _is_parameter(wrapper: FunctionNode, name: str) -> bool:
    arguments = [*wrapper.args.posonlyargs, *wrapper.args.args, *wrapper.args.kwonlyargs]
    return any(a.arg == name for a in arguments)


def _passed_for(site: RemoteCall, wrapper: FunctionNode, param: str) -> ast.expr | None:
    """What the call site passes for the wrapper's parameter `param` (None: nothing)."""
    passed = site.keyword(param)
    names = [a.arg for a in [*wrapper.args.posonlyargs, *wrapper.args.args]]
    if passed is None and param in names:
        offset = 1 if names[0] in ("self", "cls") else 0
        position = names.index(param) - offset
        if 0 <= position < len(site.node.args):
            passed = site.node.args[position]
    return passed


def _default_of(wrapper: FunctionNode, param: str) -> ast.expr | None:
    """The default value of the wrapper's parameter `param` (None: it has none)."""
    args = wrapper.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    pairs += [
        (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
    ]
    return next((default for arg, default in pairs if arg.arg == param), None)


def _carries(ctx: FileContext, expr: ast.expr, at: ast.AST, lookup: _Lookup, depth: int) -> bool:
    if depth > _MAX_DEPTH:
        return lookup.unreadable
    if isinstance(expr, ast.Constant) and expr.value is None:
        return False
    if isinstance(expr, ast.Dict):
        return _dict_carries(ctx, expr, at, lookup, depth)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "dict":
        return any(k.arg is None or lookup.matches(k.arg) for k in expr.keywords) or any(
            _carries(ctx, arg, at, lookup, depth + 1) for arg in expr.args
        )
    if isinstance(expr, ast.Name):
        value = ctx.values.assigned(expr, at)
        if not isinstance(value, ast.Dict):
            return lookup.unreadable
        return _dict_carries(ctx, value, at, lookup, depth) or any(
            _added_keys(ctx, expr.id, at, lookup)
        )
    return lookup.unreadable


def _dict_carries(
    ctx: FileContext, mapping: ast.Dict, at: ast.AST, lookup: _Lookup, depth: int
) -> bool:
    for key, value in zip(mapping.keys, mapping.values, strict=True):
        if key is None:  # {**base, ...}
            if _carries(ctx, value, at, lookup, depth + 1):
                return True
        elif _key_matches(key, lookup):
            return True
    return False


def _added_keys(ctx: FileContext, name: str, at: ast.AST, lookup: _Lookup) -> Iterator[bool]:
    """For each key added to the dict bound to `name` in the function of `at`: a match?"""
    function = ctx.enclosing_function(at)
    for node in ctx.walk(function if function is not None else ctx.tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == name
                ):
                    yield _key_matches(target.slice, lookup)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            if node.func.attr == "setdefault" and node.args:
                yield _key_matches(node.args[0], lookup)
            elif node.func.attr == "update":
                yield from _updated_keys(node, lookup)


def _updated_keys(call: ast.Call, lookup: _Lookup) -> Iterator[bool]:
    for keyword in call.keywords:
        yield lookup.unreadable if keyword.arg is None else lookup.matches(keyword.arg)
    for arg in call.args:
        if isinstance(arg, ast.Dict):
            yield from (
                lookup.unreadable if k is None else _key_matches(k, lookup) for k in arg.keys
            )
        else:
            yield lookup.unreadable


def _key_matches(key: ast.expr, lookup: _Lookup) -> bool:
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return lookup.matches(key.value)
    return lookup.unreadable
