"""``stormproof audit checkpoint``: files as a person left them, recorded before the next
generation is.

``record`` diffs each file against the version the ledger last recorded, so without a
checkpoint a line changed by hand between two generations counts as the second one's: its
prompt and model would be named for code no model wrote. A checkpoint records the files as
they are now, as a person's (the git-ai pattern: a human checkpoint before the assistant
edits, the generation's record after): the lines changed since the last record are the
checkpoint's, the next ``record`` diffs against it, and ``blame`` names it for those lines
with origin ``human``, its author and time.

An agent's hook calls it before every generation, so a checkpoint that finds nothing
changed writes nothing: files the ledger last recorded as they are (or, before their first
record, that git's HEAD has as they are) are left out, and with none left there is no
entry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stormproof.ledger.canonical import sha256
from stormproof.ledger.entry import Entry, FileRecord
from stormproof.ledger.record import (
    TOOL,
    add_entry,
    file_record,
    git_author,
    head_version,
    now,
    read_files,
    recorded_files,
)
from stormproof.ledger.store import Ledger, heads


@dataclass(frozen=True)
class Checkpoint:
    """What :func:`record_checkpoint` did."""

    entry: str | None
    """The checkpoint entry's hash; None when no file had changed and nothing was written."""
    changed: tuple[str, ...]
    """The files it recorded (repository-relative, sorted)."""
    unchanged: tuple[str, ...]
    """The files left out: as the ledger last recorded them, or as git's HEAD has them."""


def record_checkpoint(
    ledger: Ledger,
    paths: Sequence[Path],
    *,
    author: str | None = None,
    clock: Callable[[], str] = now,
    signer: Any | None = None,
) -> Checkpoint:
    """Add a checkpoint entry for the files of ``paths`` that changed since the ledger last
    recorded them, its parents the ledger's heads; ``signer``, an ed25519 private key, signs
    it. LedgerError for a file that is missing, not a file, or outside the repository, or
    for no file at all, as :func:`~stormproof.ledger.record.record_generation`."""
    contents = read_files(ledger, paths, "the files to checkpoint")
    with ledger.locked():
        entries = ledger.entries()
        recorded = recorded_files(entries)
        changed = {
            path: data
            for path, data in sorted(contents.items())
            if not _unchanged(ledger, recorded.get(path), path, data)
        }
        unchanged = tuple(sorted(set(contents) - set(changed)))
        if not changed:
            return Checkpoint(None, (), unchanged)
        entry = Entry(
            kind="checkpoint",
            parents=tuple(heads(entries)),
            time=clock(),
            author=author or git_author(ledger.repo),
            tool=TOOL,
            files=tuple(
                file_record(ledger, recorded, path, data) for path, data in changed.items()
            ),
        )
        return Checkpoint(add_entry(ledger, entry, signer), tuple(changed), unchanged)


def _unchanged(ledger: Ledger, records: list[FileRecord] | None, path: str, data: bytes) -> bool:
    # By hash: a last record whose snapshot was redacted, or a binary one, still counts.
    if records:
        return records[0].sha256 == sha256(data)
    return head_version(ledger, path) == data
