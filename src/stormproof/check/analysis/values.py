"""What simple expressions evaluate to: constants, env var reads, URL bases.

Generated services spell a target URL a dozen ways: `os.environ["PAYMENTS_URL"]`,
`os.getenv(...)`, a module constant read from the environment, a
pydantic-settings field, `self.base_url`, an f-string or `+` on any of those,
or a literal such as `http://payments:8000`. This module follows each spelling
back to an env var name or a literal, a few assignments deep.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stormproof.check.analysis.imports import ImportMap
from stormproof.check.analysis.scopes import Scopes

_ENV_GETTERS = {"os.environ.get", "os.getenv", "os.environ.setdefault", "os.environ.__getitem__"}
_URL_JOINERS = {"urllib.parse.urljoin", "posixpath.join", "urljoin"}
_MAX_DEPTH = 4
_URLLIB_REQUEST = "urllib.request.Request"
# Request objects built first and sent later; all but urllib's take the method first.
_REQUEST_BUILDERS = {
    _URLLIB_REQUEST,
    "requests.Request",
    "httpx.Request",
    "requests.models.Request",
}


class Values:
    def __init__(
        self, tree: ast.Module, imports: ImportMap, scopes: Scopes, known_env: frozenset[str]
    ) -> None:
        self._imports = imports
        self._scopes = scopes
        self._known_env = known_env
        # (scope, name) → the expression last assigned to it. Scope is a function,
        # a class (for `self.x`), or "" for the module.
        self._assigned: dict[tuple[object, str], ast.expr] = {}
        for node in scopes.nodes(ast.Assign, ast.AnnAssign):
            if node.value is not None:  # type: ignore[attr-defined]
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    key = self._key(target, node)
                    if key is not None:
                        self._assigned[key] = node.value

    def _key(self, target: ast.expr, at: ast.AST) -> tuple[object, str] | None:
        if isinstance(target, ast.Name):
            scope = self._scopes.binding_scope(target.id, at)
            if scope is None and isinstance(self._scopes.parent.get(at), ast.ClassDef):
                return (self._scopes.parent[at], "self." + target.id)
            return (scope or "", target.id)
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in ("self", "cls")
        ):
            return (self._scopes.cls(at), "self." + target.attr)
        return None

    def assigned(self, expr: ast.expr, at: ast.AST) -> ast.expr | None:
        """The expression a name or `self.x` was assigned, innermost scope first."""
        if isinstance(expr, ast.Name):
            function = self._scopes.function(at)
            while function is not None:
                value = self._assigned.get((function, expr.id))
                if value is not None:
                    return value
                function = self._scopes.function(function)
            return self._assigned.get(("", expr.id))
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.value.id in ("self", "cls")
        ):
            return self._assigned.get((self._scopes.cls(at), "self." + expr.attr))
        return None

    # -- env vars ---------------------------------------------------------------------

    def env_read(self, expr: ast.expr) -> str | None:
        """The env var this very expression reads (`os.environ["X"]`, `os.getenv("X")`)."""
        if isinstance(expr, ast.Subscript) and self._imports.qualname(expr.value) == "os.environ":
            return _const_str(expr.slice)
        if (
            isinstance(expr, ast.Call)
            and expr.args
            and self._imports.qualname(expr.func) in _ENV_GETTERS
        ):
            return _const_str(expr.args[0])
        return None

    def env_reads(self, tree: ast.AST) -> Iterator[tuple[ast.expr, str]]:
        """Every env var read under `tree`, with the reading expression."""
        nodes = self._scopes.walk(tree)
        for node in nodes:
            if isinstance(node, ast.Subscript | ast.Call):
                name = self.env_read(node)
                if name is not None:
                    yield node, name

    def env_var(self, expr: ast.expr, at: ast.AST, depth: int = 0) -> str | None:
        """The env var `expr` ultimately comes from, following assignments and URL building."""
        if depth > _MAX_DEPTH:
            return None
        expr = self.url_base(expr)
        direct = self.env_read(expr)
        if direct is not None:
            return direct
        if isinstance(expr, ast.Call) and _is_str_method(expr):
            # os.environ["X"].rstrip("/")
            return self.env_var(expr.func.value, at, depth + 1)  # type: ignore[attr-defined]
        if isinstance(expr, ast.BoolOp) and expr.values:
            # os.getenv("X") or "http://localhost:8001"
            return self.env_var(expr.values[0], at, depth + 1)
        value = self.assigned(expr, at)
        if value is not None:
            return self.env_var(value, at, depth + 1)
        return self._settings_field(expr)

    def _settings_field(self, expr: ast.expr) -> str | None:
        """`settings.payments_url`, or an imported `PAYMENTS_URL`, named after a known env var."""
        if isinstance(expr, ast.Attribute):
            name = expr.attr.upper()
        elif isinstance(expr, ast.Name):
            name = expr.id.upper()
        else:
            return None
        return name if name in self._known_env else None

    # -- literals and URLs ------------------------------------------------------------

    def url_base(self, expr: ast.expr) -> ast.expr:
        """The part of a URL expression that names the host: the head of an f-string or `+`."""
        for _ in range(_MAX_DEPTH):
            if isinstance(expr, ast.JoinedStr) and expr.values:
                head = expr.values[0]
                expr = head.value if isinstance(head, ast.FormattedValue) else head
            elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add | ast.Mod):
                expr = expr.left
            elif isinstance(expr, ast.Call) and expr.args and self._is_joiner(expr):
                expr = expr.args[0]
            elif isinstance(expr, ast.Call) and self.request_url(expr) is not None:
                # urlopen(Request(url, data=…)), session.send(requests.Request("POST", url))
                expr = self.request_url(expr)  # type: ignore[assignment]
            elif (
                isinstance(expr, ast.Call)
                and isinstance(expr.func, ast.Attribute)
                and expr.func.attr == "format"
            ):
                expr = expr.func.value
            else:
                break
        return expr

    def request_url(self, call: ast.Call) -> ast.expr | None:
        """The URL given to a request object's constructor (`Request(url, …)`), if it is one."""
        name = self._imports.qualname(call.func)
        if name not in _REQUEST_BUILDERS:
            return None
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        position = 0 if name == _URLLIB_REQUEST else 1
        if "url" in keywords:
            return keywords["url"]
        return call.args[position] if len(call.args) > position else None

    def _is_joiner(self, call: ast.Call) -> bool:
        name = self._imports.qualname(call.func)
        if name in _URL_JOINERS:
            return True
        return isinstance(call.func, ast.Name) and call.func.id == "urljoin"

    def literal(self, expr: ast.expr, at: ast.AST, depth: int = 0) -> str | None:
        """The string a URL expression starts with, when it is (or begins with) a literal."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.JoinedStr):
            head = expr.values[0] if expr.values else None
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                return head.value
        base = self.url_base(expr)
        text = _const_str(base)
        if text is not None:
            return text
        if isinstance(base, ast.BoolOp):
            return None  # os.getenv("X") or "http://…": the literal is only a default
        value = self.assigned(base, at)
        if value is not None and self.env_read(value) is None:
            return self.literal(value, at, depth + 1)
        return None


def _const_str(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_str_method(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr in {
        "rstrip",
        "strip",
        "lstrip",
        "removesuffix",
    }
