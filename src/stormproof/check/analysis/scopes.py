"""Parents, enclosing functions and classes: where a node sits in its module."""

from __future__ import annotations

import ast
from collections.abc import Iterable

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)
NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


class Scopes:
    """One traversal of a module, shared by every analysis and rule.

    It records each node's parent and lays the tree out in pre-order with
    subtree sizes, so that "every node under X" is a list slice and "is A inside
    B" is an index comparison, instead of a fresh `ast.walk` each time.
    """

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.parent: dict[ast.AST, ast.AST] = {}
        self.order: list[ast.AST] = []
        self._index: dict[ast.AST, int] = {}
        self._by_type: dict[tuple[type, ...], list[ast.AST]] = {}
        self._lay_out(tree)
        # Names each function declares `global`: assigning them binds the module's name.
        self._globals: dict[ast.AST, set[str]] = {}
        for node in self.nodes(ast.Global):
            function = self.function(node)
            if function is not None:
                self._globals.setdefault(function, set()).update(node.names)  # type: ignore[attr-defined]

    def _lay_out(self, tree: ast.AST) -> None:
        order, parent = self.order, self.parent
        stack: list[ast.AST] = [tree]
        while stack:
            node = stack.pop()
            order.append(node)
            children: list[ast.AST] = []
            for name in node._fields:
                value = getattr(node, name, None)
                if value.__class__ is list:
                    children.extend(item for item in value if isinstance(item, ast.AST))
                elif isinstance(value, ast.AST) and name != "ctx":
                    children.append(value)
            for child in children:
                parent[child] = node
            stack.extend(reversed(children))
        self._index = {node: i for i, node in enumerate(order)}
        # Subtree sizes, children before parents (reverse pre-order).
        size = [1] * len(order)
        index = self._index
        for i in range(len(order) - 1, 0, -1):
            size[index[parent[order[i]]]] += size[i]
        self._size = size

    def walk(self, node: ast.AST) -> list[ast.AST]:
        """`node` and everything under it, in pre-order (like `ast.walk`, as a list)."""
        i = self._index.get(node)
        if i is None:  # a node built after parsing, or from another tree
            return list(ast.walk(node))
        return self.order[i : i + self._size[i]]

    def nodes(self, *types: type) -> list[ast.AST]:
        """Every node of the module of one of `types` (all nodes when none given)."""
        found = self._by_type.get(types)
        if found is None:
            found = [n for n in self.order if isinstance(n, types)] if types else self.order
            self._by_type[types] = found
        return found

    def run_nodes(self, statements: Iterable[ast.AST]) -> list[ast.AST]:
        """Every node run as part of `statements`, in pre-order: the bodies of functions,
        lambdas and classes defined there are left out (they run later, if ever)."""
        found: list[ast.AST] = []
        for statement in statements:
            nodes = self.walk(statement)
            index = 0
            while index < len(nodes):
                node = nodes[index]
                found.append(node)
                # Pre-order: a nested scope's nodes are the slice that follows it.
                index += len(self.walk(node)) if isinstance(node, NESTED_SCOPES) else 1
        return found

    def contains(self, outer: ast.AST, inner: ast.AST) -> bool:
        """Whether `inner` is `outer` or lies under it."""
        i, j = self._index.get(outer), self._index.get(inner)
        if i is None or j is None:
            return any(n is inner for n in ast.walk(outer))
        return i <= j < i + self._size[i]

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
