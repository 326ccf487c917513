"""YAML text to plain data, remembering where every key and value came from.

PyYAML's loaders forget positions and silently keep the last of two duplicate
keys, so the manifest is composed into nodes and converted by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stormproof.manifest.errors import ManifestError, SourcePosition

KeyPath = tuple[str | int, ...]


@dataclass(slots=True)
class SourceMap:
    """Positions by key path, e.g. `("sagas", "book-trip", "steps", 2)`.

    `entries` is where a mapping entry (its key) or a sequence item starts;
    `values` is where the value itself starts (the same place for items).
    """

    entries: dict[KeyPath, SourcePosition] = field(default_factory=dict)
    values: dict[KeyPath, SourcePosition] = field(default_factory=dict)

    def alias(self, path: KeyPath, existing: KeyPath) -> None:
        """Make `path` answer with the positions of `existing` (a normalised spelling)."""
        self.entries[path] = self.entries[existing]
        self.values[path] = self.values[existing]


@dataclass(slots=True)
class SourceDocument:
    data: Any
    positions: SourceMap


def parse_yaml(text: str, path: Path) -> SourceDocument:
    """Compose `text` and convert it; raises ManifestError for syntax errors and duplicate keys."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        raise ManifestError(path, _describe_yaml_error(error), _mark_position(error)) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow; no mark
        before = text[: error.position]
        line_start = before.rfind("\n") + 1
        position = SourcePosition(before.count("\n") + 1, error.position - line_start + 1)
        message = f"invalid YAML: {error.reason} (character {error.character:#06x})"
        raise ManifestError(path, message, position) from None
    if root is None:
        raise ManifestError(path, "the manifest is empty", SourcePosition(1, 1))
    converter = _Converter(path)
    data = converter.convert(root, ())
    converter.positions.entries[()] = converter.positions.values[()] = node_position(root)
    return SourceDocument(data, converter.positions)


def node_position(node: yaml.Node) -> SourcePosition:
    return SourcePosition(node.start_mark.line + 1, node.start_mark.column + 1)


class _Converter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.positions = SourceMap()
        self.constructor = yaml.constructor.SafeConstructor()
        # Collections being converted: an alias to one of them would recurse forever.
        self.open_nodes: set[int] = set()

    def convert(self, node: yaml.Node, path: KeyPath) -> Any:
        self.positions.values[path] = node_position(node)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if id(node) in self.open_nodes:
                raise ManifestError(self.path, "an alias refers to itself", node_position(node))
            self.open_nodes.add(id(node))
            converted = (
                self._mapping(node, path)
                if isinstance(node, yaml.MappingNode)
                else self._sequence(node, path)
            )
            self.open_nodes.discard(id(node))
            return converted
        try:
            return self.constructor.construct_object(node)
        except yaml.constructor.ConstructorError as error:
            raise ManifestError(
                self.path, _describe_yaml_error(error), node_position(node)
            ) from None

    def _sequence(self, node: yaml.SequenceNode, path: KeyPath) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            self.positions.entries[(*path, index)] = node_position(item)
            items.append(self.convert(item, (*path, index)))
        return items

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ManifestError(
                    self.path, "a mapping key must be a plain name", node_position(key_node)
                )
            # The key's source text, not its YAML reading: `on:` stays "on", not True.
            key = key_node.value
            if key in mapping:
                first = self.positions.entries[(*path, key)]
                raise ManifestError(
                    self.path,
                    f"duplicate key '{key}' (first at line {first.line})",
                    node_position(key_node),
                )
            self.positions.entries[(*path, key)] = node_position(key_node)
            mapping[key] = self.convert(value_node, (*path, key))
        return mapping


def _mark_position(error: yaml.MarkedYAMLError) -> SourcePosition:
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return SourcePosition(1, 1)
    return SourcePosition(mark.line + 1, mark.column + 1)


def _describe_yaml_error(error: yaml.MarkedYAMLError) -> str:
    message = error.problem or "syntax error"
    if error.context:
        message = f"{error.context}: {message}"
    return f"invalid YAML: {_one_line(message)}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
