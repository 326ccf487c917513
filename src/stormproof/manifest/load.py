"""Finding, reading and validating `stormproof.yaml`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from stormproof.manifest.errors import ManifestError, SourcePosition
from stormproof.manifest.explain import explain
from stormproof.manifest.model import MANIFEST_NAME, Manifest
from stormproof.manifest.references import reference_errors
from stormproof.manifest.source import SourceMap, parse_yaml


def find_manifest(start: Path) -> Path | None:
    """The nearest `stormproof.yaml` in `start` (a file's directory) or any parent."""
    start = start.absolute()
    directory = start if start.is_dir() else start.parent
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / MANIFEST_NAME
        if candidate.is_file():
            return candidate
    return None


def load_manifest(path: Path) -> Manifest:
    """Read and validate a manifest; raises ManifestError naming the first problem's place."""
    path = path.absolute()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(path, "no such file") from None
    except IsADirectoryError:
        raise ManifestError(path, "is a directory, not a manifest file") from None
    except OSError as error:
        raise ManifestError(path, f"cannot be read: {error.strerror}") from None
    return parse_manifest(_decode(raw, path), path)


def parse_manifest(text: str, path: Path = Path(MANIFEST_NAME)) -> Manifest:
    """Validate manifest `text` as if read from `path` (which need not exist)."""
    path = path.absolute()
    if not text.strip():
        raise ManifestError(path, "the manifest is empty", SourcePosition(1, 1))
    document = parse_yaml(text, path)
    data, positions = document.data, document.positions
    if not isinstance(data, dict):
        raise ManifestError(
            path,
            "the top level must be a mapping (version, name, services, ...)",
            positions.values[()],
        )
    _alias_short_form_calls(data, positions)
    try:
        manifest = Manifest.from_data({"name": path.parent.name, **data}, path, positions)
    except ValidationError as error:
        raise _first_of([explain(e, positions, path) for e in error.errors()]) from None
    errors = reference_errors(manifest)
    if errors:
        raise _first_of(errors)
    return manifest


def _first_of(errors: list[ManifestError]) -> ManifestError:
    ordered = sorted(errors, key=lambda e: (e.line or 0, e.column or 0))
    return ManifestError.collect(ordered)


def _alias_short_form_calls(data: dict[str, Any], positions: SourceMap) -> None:
    """Let `calls: [payments]` answer for `("services", s, "calls", "payments")`."""
    services = data.get("services")
    if not isinstance(services, dict):
        return
    for name, service in services.items():
        calls = service.get("calls") if isinstance(service, dict) else None
        if not isinstance(calls, list):
            continue
        for index, target in enumerate(calls):
            keys = ("services", name, "calls", target)
            if isinstance(target, str) and keys not in positions.entries:
                positions.alias(keys, ("services", name, "calls", index))


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        raise ManifestError(
            path,
            f"not UTF-8 text (byte 0x{raw[error.start]:02x})",
            SourcePosition(before.count(b"\n") + 1, column),
        ) from None
