"""One ledger entry: what it says, and how it is written and read back.

A *generation* entry records one generation event: the prompt and response (blobs), the
model, the files it wrote (each with its SHA-256, a snapshot blob, and the lines it added or
changed), optional check or chaos results (a blob), who recorded it, when, and with which
tool. A *checkpoint* entry records files as a person left them, before the next generation
is recorded: the same file records, and no prompt, response or model, so that the lines
changed by hand since the last record are the person's, not the next generation's. A
*redaction* entry records that a blob's content was deleted, and why."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from stormproof.ledger.canonical import canonical, encode, parse, sha256
from stormproof.ledger.errors import LedgerError

VERSION = 1
HASH = re.compile(r"[0-9a-f]{64}")
Kind = Literal["generation", "checkpoint", "redaction"]
LineRange = tuple[int, int]

# The keys each kind defines; an entry's other keys are kept as they are (a newer tool's).
_COMMON = frozenset({"version", "kind", "parents", "time", "author", "tool"})
_KNOWN: dict[str, frozenset[str]] = {
    "generation": _COMMON | {"model", "prompt", "response", "results", "files"},
    # A checkpoint is a generation's file records without the prompt, response or model.
    "checkpoint": _COMMON | {"files"},
    "redaction": _COMMON | {"blob", "reason"},
}


@dataclass(frozen=True)
class FileRecord:
    """A file as a generation (or a person, in a checkpoint) left it: ``path`` relative to
    the repository root, its ``sha256``, its ``content`` blob (None for a binary file), and
    the 1-based inclusive ``lines`` ranges the entry added or changed (None for a binary
    file)."""

    path: str
    sha256: str
    content: str | None
    lines: tuple[LineRange, ...] | None

    def to_json(self) -> dict[str, Any]:
        lines = None if self.lines is None else [list(span) for span in self.lines]
        return {"path": self.path, "sha256": self.sha256, "content": self.content, "lines": lines}


@dataclass(frozen=True)
class Entry:
    kind: Kind
    parents: tuple[str, ...]
    time: str
    author: str
    tool: str
    model: str | None = None
    prompt: str | None = None
    response: str | None = None
    results: str | None = None
    files: tuple[FileRecord, ...] = ()
    blob: str | None = None
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "version": VERSION,
            "kind": self.kind,
            "parents": sorted(self.parents),
            "time": self.time,
            "author": self.author,
            "tool": self.tool,
        }
        if self.kind == "redaction":
            return body | {"blob": self.blob, "reason": self.reason} | self.extra
        if self.kind == "generation":
            body |= {
                "model": self.model,
                "prompt": self.prompt,
                "response": self.response,
                "results": self.results,
            }
        return body | {"files": [record.to_json() for record in self.files]} | self.extra

    def encode(self) -> bytes:
        return canonical(self.to_json())

    @property
    def hash(self) -> str:
        return sha256(self.encode())

    def blobs(self) -> list[str]:
        """Every blob this entry keeps: a generation's prompt, response and results, and the
        snapshots of a generation's or a checkpoint's files (a redaction keeps none: the one
        it names is the one it emptied)."""
        if self.kind == "redaction":
            return []
        named = [self.prompt, self.response, self.results]
        named += [record.content for record in self.files]
        return [blob for blob in named if blob is not None]

    @classmethod
    def decode(cls, data: bytes, where: str) -> Entry:
        """Parse an entry file's bytes; LedgerError naming ``where`` if they are not a valid
        entry in canonical form."""

        try:
            body = parse(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise LedgerError(f"{where}: not JSON ({error})") from None
        except TypeError as error:
            raise LedgerError(f"{where}: {error}") from None
        if not isinstance(body, dict):
            raise LedgerError(f"{where}: not a JSON object")
        entry = _from_json(body, where)
        if encode(body) != data:
            raise LedgerError(f"{where}: not in canonical form")
        return entry


def _from_json(body: dict[str, Any], where: str) -> Entry:
    def field_(name: str, kind: type | tuple[type, ...], optional: bool = False) -> Any:
        value = body.get(name)
        if value is None and optional:
            return None
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise LedgerError(f"{where}: field {name!r} is missing or malformed")
        return value

    if body.get("version") != VERSION:
        raise LedgerError(f"{where}: unknown entry version {body.get('version')!r}")
    kind = body.get("kind")
    known = _KNOWN.get(kind) if isinstance(kind, str) else None
    if known is None:
        raise LedgerError(f"{where}: unknown entry kind {kind!r}")
    parents = field_("parents", list)
    if not all(isinstance(p, str) and HASH.fullmatch(p) for p in parents):
        raise LedgerError(f"{where}: field 'parents' must list SHA-256 hashes")
    common: dict[str, Any] = {
        "kind": kind,
        "parents": tuple(parents),
        "time": field_("time", str),
        "author": field_("author", str),
        "tool": field_("tool", str),
    }
    if kind == "redaction":
        common |= {"blob": _hash(field_("blob", str), "blob", where),
                   "reason": field_("reason", str)}  # fmt: skip
    else:
        if kind == "generation":
            results = field_("results", str, optional=True)
            common |= {
                "model": field_("model", str),
                "prompt": _hash(field_("prompt", str), "prompt", where),
                "response": _hash(field_("response", str), "response", where),
                "results": None if results is None else _hash(results, "results", where),
            }
        common["files"] = tuple(_file(item, where) for item in field_("files", list))
    extra = {key: value for key, value in body.items() if key not in known}
    return Entry(**common, extra=extra)


def _hash(value: str, name: str, where: str) -> str:
    if not HASH.fullmatch(value):
        raise LedgerError(f"{where}: field {name!r} is not a SHA-256 hash")
    return value


def _file(item: Any, where: str) -> FileRecord:
    if not isinstance(item, dict) or not isinstance(item.get("path"), str):
        raise LedgerError(f"{where}: a file record has no path")
    path = item["path"]
    digest = item.get("sha256")
    if not isinstance(digest, str) or not HASH.fullmatch(digest):
        raise LedgerError(f"{where}: file {path!r} has no SHA-256")
    content, lines = item.get("content"), item.get("lines")
    if content is not None and not (isinstance(content, str) and HASH.fullmatch(content)):
        raise LedgerError(f"{where}: file {path!r} names a malformed content blob")
    if lines is not None:
        ok = isinstance(lines, list) and all(
            isinstance(span, list)
            and len(span) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in span)
            and 1 <= span[0] <= span[1]
            for span in lines
        )
        if not ok:
            raise LedgerError(f"{where}: file {path!r} has malformed line ranges")
        lines = tuple((span[0], span[1]) for span in lines)
    return FileRecord(path, digest, content, lines)
