"""``stormproof audit log``: the entries oldest first, each summarised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stormproof.ledger.attribution import text_lines
from stormproof.ledger.order import in_order
from stormproof.ledger.store import Ledger


@dataclass(frozen=True)
class LogItem:
    hash: str
    path: str
    kind: str
    """``generation``, ``checkpoint`` (files as a person left them) or ``redaction``."""
    time: str
    author: str
    model: str | None
    """None for a checkpoint or a redaction entry."""
    prompt: str | None
    """The prompt's first line; None for a checkpoint, a redaction entry or a redacted
    prompt."""
    files: list[str]
    blobs: list[str]
    """The blobs the entry keeps (for a redaction, the one it emptied)."""
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def log_entries(ledger: Ledger) -> list[LogItem]:
    """Every entry, oldest first. LedgerError on a corrupt entry (``verify`` says more)."""
    entries = ledger.entries()
    items = []
    for digest in in_order(entries):
        entry = entries[digest]
        items.append(
            LogItem(
                hash=digest,
                path=ledger.entry_where(digest),
                kind=entry.kind,
                time=entry.time,
                author=entry.author,
                model=entry.model,
                prompt=None if entry.prompt is None else first_line(ledger, entry.prompt),
                files=[record.path for record in entry.files],
                blobs=[entry.blob or ""] if entry.kind == "redaction" else entry.blobs(),
                reason=entry.reason,
            )
        )
    return items


def first_line(ledger: Ledger, blob: str) -> str | None:
    """The first non-empty line of a text blob, or None when it was redacted."""
    data = ledger.read_blob(blob)
    if data is None:
        return None
    lines = text_lines(data)
    if lines is None:
        return "(binary)"
    return next((line.strip() for line in lines if line.strip()), "")
