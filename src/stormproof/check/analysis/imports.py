"""Which module-level names stand for which imported things.

`import requests as rq` makes `rq.post` mean `requests.post`; `from httpx import
post` makes `post` mean `httpx.post`. Resolution is flow-insensitive: an import
anywhere in the module (also inside a function) counts for the whole module,
which is what generated code almost always intends.
"""

from __future__ import annotations

import ast

# Spellings that reach the same object through an internal module.
_CANONICAL = {
    "requests.sessions.Session": "requests.Session",
    "requests.sessions.session": "requests.session",
    "requests.api.request": "requests.request",
    "httpx._client.Client": "httpx.Client",
    "httpx._client.AsyncClient": "httpx.AsyncClient",
    "aiohttp.client.ClientSession": "aiohttp.ClientSession",
    "urllib.request.build_opener": "urllib.request.build_opener",
    "redis.client.Redis": "redis.Redis",
    "redis.client.StrictRedis": "redis.Redis",
    "redis.StrictRedis": "redis.Redis",
}


def canonical(qualname: str) -> str:
    return _CANONICAL.get(qualname, qualname)


class ImportMap:
    def __init__(self, statements: list[ast.AST]) -> None:
        """`statements`: every Import and ImportFrom node of the module."""
        self.names: dict[str, str] = {}
        self.modules: set[str] = set()
        for node in statements:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.modules.add(alias.name)
                    if alias.asname:
                        self.names[alias.asname] = alias.name
                    else:
                        # `import urllib.request` binds `urllib`.
                        top = alias.name.split(".")[0]
                        self.names[top] = top
            elif isinstance(node, ast.ImportFrom):
                module = ("." * node.level) + (node.module or "")
                self.modules.add(module)
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    self.names[alias.asname or alias.name] = f"{module}.{alias.name}"

    def imports(self, module: str) -> bool:
        """Whether the module imports `module` or something inside it."""
        return any(m == module or m.startswith(module + ".") for m in self.modules)

    def qualname(self, node: ast.AST) -> str | None:
        """The dotted name an expression refers to, when it starts at an import."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.names.get(node.id)
        if base is None:
            return None
        return canonical(".".join([base, *reversed(parts)]))
