"""Small questions about single AST nodes that the route, effect and consumer analyses share.

Each answers from the node alone (no imports, no bindings): what a call passes as a
keyword, what name a callee or a receiver ends in.
"""

from __future__ import annotations

import ast

# Nodes whose bodies do not run where they are written.


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value passed as `name=` to `call`, if any."""
    return next((k.value for k in call.keywords if k.arg == name), None)


def keyword_str(call: ast.Call, name: str) -> str | None:
    """The string literal passed as `name=` to `call`, if any."""
    value = keyword(call, name)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def true_keyword(call: ast.Call, name: str) -> bool:
    """Whether `call` passes `name=True`."""
    value = keyword(call, name)
    return isinstance(value, ast.Constant) and value.value is True


def string_arg(call: ast.Call, index: int, name: str) -> str | None:
    """The string literal given as positional argument `index` or as `name=`."""
    value = call.args[index] if len(call.args) > index else keyword(call, name)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def callee_name(call: ast.Call) -> str:
    """`f` for `f(...)` and `obj.f(...)`; "" for anything else."""
    return terminal_name(call.func)


def terminal_name(expr: ast.expr) -> str:
    """The name an expression ends in: `x`, `a.b.x` → `x`; "" for anything else."""
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return expr.id if isinstance(expr, ast.Name) else ""


def is_self(expr: ast.expr) -> bool:
    """`self` or `cls`."""
    return isinstance(expr, ast.Name) and expr.id in ("self", "cls")


def is_method_call(expr: ast.expr, name: str) -> bool:
    """`<anything>.name(...)`."""
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == name
    )
