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
    contents = {
        ledger.relative(_checked(ledger, path)): path.read_bytes() for path in generation.files
    }
    if not contents:
        raise LedgerError("no files given: name the files the generation wrote after --")
    with ledger.locked():
        entries = ledger.entries()
        snapshots = recorded_snapshots(entries)
        files = tuple(
            _file_record(ledger, snapshots, path, data) for path, data in sorted(contents.items())
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
        digest = ledger.add(entry)
        if signer is not None:
            ledger.add_signature(digest, sign(signer, digest))
        return digest


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


def _file_record(
    ledger: Ledger, snapshots: dict[str, list[str]], path: str, data: bytes
) -> FileRecord:
    lines = text_lines(data)
    if lines is None:
        return FileRecord(path, sha256(data), None, None)
    before = previous_version(ledger, snapshots.get(path, []), path)
    old = (text_lines(before) or []) if before is not None else []
    return FileRecord(path, sha256(data), ledger.put_blob(data), changed_lines(old, lines))


def recorded_snapshots(entries: dict[str, Entry]) -> dict[str, list[str]]:
    """Each path's snapshot blobs in the ledger, the newest first."""
    found: dict[str, list[str]] = {}
    for digest in reversed(in_order(entries)):
        for record in entries[digest].files:
            if record.content is not None:
                found.setdefault(record.path, []).append(record.content)
    return found


def previous_version(ledger: Ledger, snapshots: list[str], path: str) -> bytes | None:
    """The file as the ledger last recorded it (its newest snapshot not redacted); before
    its first record, as git's HEAD has it (a file written by hand and committed before an
    assistant first changed it); None for a new file."""
    for blob in snapshots:
        snapshot = ledger.read_blob(blob)
        if snapshot is not None:
            return snapshot
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
