"""``stormproof audit record``: one generation event into the ledger."""

from __future__ import annotations

import getpass
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stormproof import __version__
from stormproof.ledger.attribution import changed_lines, text_lines
from stormproof.ledger.canonical import sha256
from stormproof.ledger.entry import Entry, FileRecord
from stormproof.ledger.errors import LedgerError
from stormproof.ledger.order import in_order
from stormproof.ledger.signing import sign
from stormproof.ledger.store import Ledger, heads

TOOL = f"stormproof {__version__}"


@dataclass(frozen=True)
class Generation:
    """What one generation event produced: the prompt and response as sent and received, the
    model, the files it wrote, and optionally the results of checking them."""

    prompt: bytes
    response: bytes
    model: str
    files: Sequence[Path]
    results: bytes | None = None
    author: str | None = None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def record_generation(
    ledger: Ledger,
    generation: Generation,
    *,
    clock: Callable[[], str] = now,
    signer: Any | None = None,
) -> str:
    """Add a generation entry whose parents are the ledger's heads; its hash. ``signer``, an
    ed25519 private key (:func:`~stormproof.ledger.signing.load_private`), signs it.
    LedgerError for a file that is missing, not a file, or outside the repository, or an
    empty model."""
    if not generation.model.strip():
        raise LedgerError("--model: the model name is empty")
    contents = read_files(ledger, generation.files, "the files the generation wrote")
    with ledger.locked():
        entries = ledger.entries()
        recorded = recorded_files(entries)
        files = tuple(
            file_record(ledger, recorded, path, data) for path, data in sorted(contents.items())
        )
        entry = Entry(
            kind="generation",
            parents=tuple(heads(entries)),
            time=clock(),
            author=generation.author or git_author(ledger.repo),
            tool=TOOL,
            model=generation.model,
            prompt=ledger.put_blob(generation.prompt),
            response=ledger.put_blob(generation.response),
            results=None if generation.results is None else ledger.put_blob(generation.results),
            files=files,
        )
        return add_entry(ledger, entry, signer)


def read_files(ledger: Ledger, paths: Sequence[Path], which: str) -> dict[str, bytes]:
    """Each file's bytes by its repository-relative path. LedgerError for a file that is
    missing, not a file, or outside the repository, or for no file at all (naming ``which``
    files to give)."""
    contents = {ledger.relative(_checked(ledger, path)): path.read_bytes() for path in paths}
    if not contents:
        raise LedgerError(f"no files given: name {which} after --")
    return contents


def _checked(ledger: Ledger, path: Path) -> Path:
    if not path.exists():
        raise LedgerError(f"{path}: no such file")
    if not path.is_file():
        raise LedgerError(f"{path}: not a file")
    try:
        ledger.relative(path)
    except ValueError:
        raise LedgerError(f"{path}: outside the repository {ledger.repo}") from None
    return path


def add_entry(ledger: Ledger, entry: Entry, signer: Any | None) -> str:
    """Write ``entry`` and, with a ``signer``, its signature; its hash. Call under
    :meth:`Ledger.locked`, with the parents read there."""
    digest = ledger.add(entry)
    if signer is not None:
        ledger.add_signature(digest, sign(signer, digest))
    return digest


def file_record(
    ledger: Ledger, recorded: dict[str, list[FileRecord]], path: str, data: bytes
) -> FileRecord:
    """``path`` as ``data`` holds it now, with the lines changed since the ledger last
    recorded it (``recorded``: :func:`recorded_files`), or since git's HEAD."""
    lines = text_lines(data)
    if lines is None:
        return FileRecord(path, sha256(data), None, None)
    before = previous_version(ledger, recorded.get(path, []), path)
    old = (text_lines(before) or []) if before is not None else []
    return FileRecord(path, sha256(data), ledger.put_blob(data), changed_lines(old, lines))


def recorded_files(entries: dict[str, Entry]) -> dict[str, list[FileRecord]]:
    """Each path's records in the ledger (generations' and checkpoints'), the newest first."""
    found: dict[str, list[FileRecord]] = {}
    for digest in reversed(in_order(entries)):
        for record in entries[digest].files:
            found.setdefault(record.path, []).append(record)
    return found


def previous_version(ledger: Ledger, records: list[FileRecord], path: str) -> bytes | None:
    """The file as the ledger last recorded it (its newest snapshot not redacted, among
    ``records``, the newest first); before its first record, :func:`head_version`."""
    for record in records:
        snapshot = None if record.content is None else ledger.read_blob(record.content)
        if snapshot is not None:
            return snapshot
    return head_version(ledger, path)


def head_version(ledger: Ledger, path: str) -> bytes | None:
    """The file as git's HEAD has it (a file written by hand and committed before an
    assistant first changed it); None for a file HEAD lacks."""
    done = subprocess.run(
        ["git", "show", f"HEAD:{path}"], cwd=ledger.repo, capture_output=True, check=False
    )
    return done.stdout if done.returncode == 0 else None


def git_author(repo: Path) -> str:
    def config(key: str) -> str:
        done = subprocess.run(
            ["git", "config", key], cwd=repo, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    name, email = config("user.name"), config("user.email")
    if name and email:
        return f"{name} <{email}>"
    return name or email or getpass.getuser()
