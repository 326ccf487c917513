"""Parents, enclosing functions and classes: where a node sits in its module."""

from __future__ import annotations

import ast

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)


class Scopes:
    def __init__(self, tree: ast.Module) -> None:
        self.parent: dict[ast.AST, ast.AST] = {}
        globals_: list[ast.Global] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                globals_.append(node)
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        # Names each function declares `global`: assigning them binds the module's name.
        self._globals: dict[ast.AST, set[str]] = {}
        for node in globals_:
            function = self.function(node)
            if function is not None:
                self._globals.setdefault(function, set()).update(node.names)

    def ancestors(self, node: ast.AST):
        """The chain of enclosing nodes, innermost first."""
        current = self.parent.get(node)
        while current is not None:
            yield current
            current = self.parent.get(current)

    def function(self, node: ast.AST) -> FunctionNode | None:
        """The innermost function that contains `node` (lambdas do not count)."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, FUNCTION_TYPES):
                return ancestor
        return None

    def binding_scope(self, name: str, at: ast.AST) -> FunctionNode | None:
        """The function whose local `name` an assignment at `at` binds (None: the module)."""
        function = self.function(at)
        if function is not None and name in self._globals.get(function, ()):
            return None
        return function

    def cls(self, node: ast.AST) -> ast.ClassDef | None:
        """The class whose method contains `node` (or whose body holds it)."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, ast.ClassDef):
                return ancestor
        return None
