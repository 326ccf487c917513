"""Retry loops: a loop that makes a remote call, survives its failure and leaves on success."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from functools import cached_property

from stormproof.check.analysis.remote_calls import RemoteCall
from stormproof.check.analysis.retry_model import CLOCKS, SLEEPS, STATUS_ATTRIBUTES, Pacing
from stormproof.check.analysis.retry_settings import keywords_of
from stormproof.check.analysis.scopes import NESTED_SCOPES
from stormproof.check.context import FileContext

# Helpers that only shape a delay; any other call in a delay makes it unknown.
_DELAY_SHAPERS = frozenset({"min", "max", "int", "float", "abs", "round"})


class LoopFacts:
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
        keywords = keywords_of(call)
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
