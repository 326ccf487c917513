"""Pydantic validation errors, told in the manifest's terms and placed in the file."""

from __future__ import annotations

import difflib
import types
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from stormproof.manifest.errors import ManifestError
from stormproof.manifest.model import Manifest
from stormproof.manifest.source import KeyPath, SourceMap

# Sections whose entries are named by their key, and how a person calls one entry.
_NAMED_SECTIONS = {"services": "service", "datastores": "datastore", "sagas": "saga"}


def explain(error: ErrorDetails, positions: SourceMap, path: Path) -> ManifestError:
    keys = _source_keys(error["loc"], positions)
    if error["type"] == "missing":
        message = f"missing key '{error['loc'][-1]}' {_in(keys)}"
        return ManifestError(path, message, positions.entries[keys])
    if error["type"] == "extra_forbidden":
        key = str(keys[-1])
        message = f"unknown key '{key}' {_in(keys[:-1])}" + suggestion(key, _valid_keys(keys[:-1]))
        return ManifestError(path, message, positions.entries[keys])
    message = f"invalid {describe(keys)}: {_reason(error)}"
    return ManifestError(path, message, positions.values[keys])


def suggestion(word: str, choices: list[str]) -> str:
    """` (did you mean 'x'?)` for the nearest of `choices`, or nothing."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def describe(keys: KeyPath) -> str:
    """A key path as a person reads it: `role of service 'gateway'`, `step 2 of saga 'x'`."""
    if not keys:
        return "the top level"
    owner, rest = _named_owner(keys)
    if owner is None:
        return _dotted(rest)
    return f"{_dotted(rest)} of {owner}" if rest else owner


def _in(keys: KeyPath) -> str:
    return "at the top level" if not keys else f"in {describe(keys)}"


def _named_owner(keys: KeyPath) -> tuple[str | None, KeyPath]:
    """The most specific named thing the path lies in, and the keys below it."""
    if len(keys) < 2 or keys[0] not in _NAMED_SECTIONS:
        return None, keys
    owner = f"{_NAMED_SECTIONS[str(keys[0])]} '{keys[1]}'"
    rest = keys[2:]
    if keys[0] == "sagas" and len(rest) >= 2 and rest[0] == "steps" and isinstance(rest[1], int):
        return f"step {rest[1] + 1} of {owner}", rest[2:]
    return owner, rest


def _dotted(keys: KeyPath) -> str:
    text = ""
    for key in keys:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def _source_keys(loc: tuple[str | int, ...], positions: SourceMap) -> KeyPath:
    """The part of a pydantic location that is in the file.

    A location may hold segments the file does not: a union branch tag, or
    (last) the name of a key that is missing.
    """
    keys: KeyPath = ()
    for segment in loc:
        if (*keys, segment) in positions.values:
            keys = (*keys, segment)
    return keys


def _reason(error: ErrorDetails) -> str:
    if error["type"] == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if error["type"] == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
        return f"expected {expected}, got {_shown(error['input'])}"
    reason = error["msg"][:1].lower() + error["msg"][1:]
    if isinstance(error["input"], str | int | float | bool) or error["input"] is None:
        reason += f", got {_shown(error['input'])}"
    return reason


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _valid_keys(keys: KeyPath) -> list[str]:
    """The keys the model accepts in the mapping at `keys`."""
    annotation: Any = Manifest
    for key in keys:
        annotation = _descend(annotation, key)
        if annotation is None:
            return []
    model = _model_in(annotation)
    return list(model.model_fields) if model else []


def _descend(annotation: Any, key: str | int) -> Any:
    model = _model_in(annotation)
    if model is not None:
        field = model.model_fields.get(str(key))
        return field.annotation if field else None
    for candidate in _flatten(annotation):
        origin = get_origin(candidate)
        if origin is dict:
            return get_args(candidate)[1]
        if origin is list:
            return get_args(candidate)[0]
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for candidate in _flatten(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _flatten(annotation: Any) -> list[Any]:
    """The members of a union, with Annotated wrappers removed."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _flatten(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [member for arg in get_args(annotation) for member in _flatten(arg)]
    return [annotation]
