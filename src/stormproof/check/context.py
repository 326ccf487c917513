"""What a rule sees: one parsed file with its analyses, or the whole project's facts."""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stormproof.check.analysis.imports import ImportMap
from stormproof.check.analysis.instances import Instances
from stormproof.check.analysis.remote_calls import RemoteCall, RemoteCalls
from stormproof.check.analysis.scopes import FUNCTION_TYPES, FunctionNode, Scopes
from stormproof.check.analysis.values import Values
from stormproof.check.finding import Finding

if TYPE_CHECKING:
    from stormproof.check.rule import Rule
    from stormproof.manifest import Manifest, Service


_URL_SUFFIX = re.compile(r"_(?:base_url|url|uri|host|endpoint|addr|address|api|api_base)$")
_SERVICE_SUFFIX = re.compile(r"_(?:service|svc|server)$")


def _same_name(stem: str, service: str) -> bool:
    """`payment` and `payments` name the same service; so do `order_service` and `orders`."""
    return stem in (service, service.rstrip("s"), service + "s") or stem.rstrip("s") == service


class SystemModel:
    """The manifest, seen from the checker: who is reached through which env var or host."""

    def __init__(self, manifest: Manifest | None) -> None:
        self.manifest = manifest
        self.env_targets: dict[str, str] = {}
        self.datastore_envs: dict[str, str] = {}
        if manifest is None:
            return
        from stormproof.manifest import default_url_env

        for name in manifest.services:
            # The short form's default, so that an undeclared call still resolves.
            self.env_targets[default_url_env(name)] = name
        for service in manifest.services.values():
            for call in service.calls.values():
                self.env_targets[call.env] = call.service
        for datastore in manifest.datastores.values():
            if datastore.env:
                self.datastore_envs[datastore.env] = datastore.name

    @cached_property
    def known_env(self) -> frozenset[str]:
        return frozenset(self.env_targets) | frozenset(self.datastore_envs)

    def target_of_env(self, env: str) -> str | None:
        return self.env_targets.get(env)

    def target_of_host(self, host: str) -> str | None:
        if self.manifest is not None and host in self.manifest.services:
            return host
        return None

    def target_of_identifier(self, name: str) -> str | None:
        """The service a URL setting is named after: `payment_service_url`, `INVENTORY_API`.

        Only names that say they hold an address (a `_url`, `_base_url`, `_host`,
        `_endpoint`, `_uri`, `_addr` or `_api` suffix) count, so that a variable
        called `payments` is never taken for the payments service.
        """
        if self.manifest is None:
            return None
        stem = _URL_SUFFIX.sub("", name.lower())
        if stem == name.lower():
            return None
        stem = _SERVICE_SUFFIX.sub("", stem).strip("_")
        matches = [
            service
            for service in self.manifest.services
            if _same_name(stem, service.replace("-", "_"))
        ]
        return matches[0] if len(matches) == 1 else None

    def policy_enabled(self, policy: str | None) -> bool:
        if policy is None or self.manifest is None:
            return True
        return self.manifest.policies.enabled(policy)


class FileContext:
    """One parsed Python file, with the analyses rules share, built on first use."""

    def __init__(
        self,
        *,
        path: Path,
        relpath: str,
        source: str,
        tree: ast.Module,
        system: SystemModel,
        service: Service | None,
        linked: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.linked = linked or {}
        self.relpath = relpath
        self.source = source
        self.tree = tree
        self.system = system
        self.manifest = system.manifest
        self.service = service

    @cached_property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    @cached_property
    def imports(self) -> ImportMap:
        return ImportMap(self.scopes.nodes(ast.Import, ast.ImportFrom))

    @cached_property
    def scopes(self) -> Scopes:
        return Scopes(self.tree)

    @cached_property
    def instances(self) -> Instances:
        return Instances(self.tree, self.imports, self.scopes, self.linked)

    @cached_property
    def values(self) -> Values:
        return Values(self.tree, self.imports, self.scopes, self.system.known_env)

    @cached_property
    def remote_calls(self) -> list[RemoteCall]:
        """Every remote call in the file, wrapper call sites included, in source order."""
        return RemoteCalls(
            self.tree,
            self.imports,
            self.scopes,
            self.instances,
            self.values,
            self.system.target_of_env,
            self.system.target_of_host,
            self.system.target_of_identifier,
        ).calls

    @cached_property
    def functions(self) -> list[FunctionNode]:
        return self.scopes.nodes(*FUNCTION_TYPES)  # type: ignore[return-value]

    def walk(self, node: ast.AST) -> list[ast.AST]:
        """`node` and every node under it (pre-order), from the shared index."""
        return self.scopes.walk(node)

    def nodes(self, *types: type) -> list[ast.AST]:
        """Every node in the file of one of `types` (all nodes when none given)."""
        return self.scopes.nodes(*types)

    def run_nodes(self, statements: list[ast.stmt]) -> list[ast.AST]:
        """The nodes run as part of `statements`, nested functions, lambdas and classes left out."""
        return self.scopes.run_nodes(statements)

    def contains(self, outer: ast.AST, inner: ast.AST) -> bool:
        """Whether `inner` lies under `outer` (or is it)."""
        return self.scopes.contains(outer, inner)

    def qualname(self, expr: ast.AST) -> str | None:
        return self.imports.qualname(expr)

    def enclosing_function(self, node: ast.AST) -> FunctionNode | None:
        return self.scopes.function(node)

    def calls_in(self, node: ast.AST) -> Iterator[RemoteCall]:
        """The remote calls lexically inside `node` (a function, loop, try…)."""
        return (c for c in self.remote_calls if self.scopes.contains(node, c.node))

    @property
    def service_name(self) -> str | None:
        return self.service.name if self.service is not None else None

    def policy_enabled(self, policy: str | None) -> bool:
        return self.system.policy_enabled(policy)

    def finding(
        self, rule: Rule | type[Rule], node: ast.AST, message: str, *, fix: str | None = None
    ) -> Finding:
        """A finding of `rule` spanning `node` in this file."""
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        column = self._character_column(line, getattr(node, "col_offset", 0))
        end_offset = getattr(node, "end_col_offset", None)
        end_column = self._character_column(end_line, end_offset) if end_offset else column
        return _finding(
            rule,
            self.relpath,
            (line, column, end_line, end_column),
            self.service_name,
            message,
            fix,
        )

    def _character_column(self, line: int, byte_offset: int) -> int:
        """1-based character column of a UTF-8 byte offset (ast counts bytes)."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What one rule collected from one file for its project pass."""

    path: str
    service: str | None
    data: Any


class ProjectContext:
    """Every file's collected facts, and the manifest, for project-wide rules."""

    def __init__(self, *, root: Path, system: SystemModel, facts: dict[str, list[FileFacts]]):
        self.root = root
        self.system = system
        self.manifest = system.manifest
        self._facts = facts

    def facts_for(self, rule: Rule | type[Rule]) -> list[FileFacts]:
        """What `rule.collect` returned for each file (files where it returned None omitted)."""
        return self._facts.get(rule.id, [])

    def policy_enabled(self, policy: str | None) -> bool:
        return self.system.policy_enabled(policy)

    @property
    def manifest_relpath(self) -> str:
        assert self.manifest is not None
        return relative_path(self.manifest.path, self.root)

    def manifest_finding(
        self,
        rule: Rule | type[Rule],
        keys: tuple[str | int, ...],
        message: str,
        *,
        service: str | None = None,
        fix: str | None = None,
    ) -> Finding:
        """A finding at a key of stormproof.yaml, e.g. ("sagas", "book-trip", "steps", 1)."""
        assert self.manifest is not None, "manifest findings need a manifest"
        position = self.manifest.position(*keys)
        line, column = (position.line, position.column) if position else (1, 1)
        return _finding(
            rule, self.manifest_relpath, (line, column, line, column), service, message, fix
        )


def _finding(
    rule: Rule | type[Rule],
    path: str,
    span: tuple[int, int, int, int],
    service: str | None,
    message: str,
    fix: str | None,
) -> Finding:
    line, column, end_line, end_column = span
    return Finding(
        rule=rule.id,
        name=rule.name,
        category=rule.category,
        severity=rule.severity,
        path=path,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        service=service,
        message=message,
        fix=fix or rule.fix,
    )


def relative_path(path: Path, root: Path) -> str:
    """`path` relative to `root`, `/`-separated (with `..` when outside it)."""
    text, base = str(path), str(root)
    if os.sep == "/" and path.is_absolute() and text.startswith(base.rstrip("/") + "/"):
        return text[len(base.rstrip("/")) + 1 :]
    return Path(os.path.relpath(path, root)).as_posix()
