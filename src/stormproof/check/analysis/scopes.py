"""Parents, enclosing functions and classes: where a node sits in its module."""

from __future__ import annotations

import ast

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)


class Scopes:
    def __init__(self, tree: ast.Module) -> None:
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node

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

    def cls(self, node: ast.AST) -> ast.ClassDef | None:
        """The class whose method contains `node` (or whose body holds it)."""
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, ast.ClassDef):
                return ancestor
        return None
