"""``stormproof audit redact``: delete a blob's content, keep its hash.

The entries that name the blob are untouched, so every hash in the chain still verifies; a
redaction entry records which blob was emptied, by whom, when and why, so that ``verify``
accepts its absence and ``log`` shows it. Anyone who later puts content back under that name
is caught: ``verify`` still checks a redacted blob that is present.

Only the working tree loses the content: a blob already committed stays in git's history,
and in every clone, until that history is rewritten."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stormproof.ledger.entry import Entry
from stormproof.ledger.errors import LedgerError
from stormproof.ledger.order import in_order
from stormproof.ledger.record import TOOL, add_entry, git_author, now
from stormproof.ledger.store import Ledger, heads

# Shorter prefixes would too easily name the wrong blob of a large ledger.
SHORTEST_PREFIX = 8


@dataclass(frozen=True)
class Redaction:
    blob: str
    entry: str
    """The redaction entry: the one just recorded, or the earlier one when ``new`` is false."""
    new: bool
    """False when an earlier redaction entry already named the blob (redacting is idempotent:
    no second entry)."""
    removed: bool
    """Whether content was deleted now (false when it was already gone)."""
    uses: list[str]
    """What the blob held, e.g. ``the prompt of 1a2b3c4d5e6f``."""


def redact_blob(
    ledger: Ledger,
    blob: str,
    reason: str,
    *,
    author: str | None = None,
    clock: Callable[[], str] = now,
    signer: Any | None = None,
) -> Redaction:
    """Record a redaction entry for ``blob`` (a hash or a unique prefix of one the ledger
    names) and delete its content; ``signer``, an ed25519 private key, signs the entry, as
    ``record`` signs its own, so that ``verify --key`` accepts it. LedgerError for an empty
    or multi-line reason, or a prefix that names no blob or several."""
    reason = reason.strip()
    if not reason:
        raise LedgerError("--reason: say why the content is removed (it stays in the ledger)")
    if "\n" in reason:
        raise LedgerError("--reason: one line, please (the log shows it on the entry's line)")
    with ledger.locked():
        entries = ledger.entries()
        digest = resolve_blob(entries, blob)
        earlier = next(
            (d for d, e in entries.items() if e.kind == "redaction" and e.blob == digest), None
        )
        entry = earlier
        if entry is None:
            redaction = Entry(
                kind="redaction",
                parents=tuple(heads(entries)),
                time=clock(),
                author=author or git_author(ledger.repo),
                tool=TOOL,
                blob=digest,
                reason=reason,
            )
            entry = add_entry(ledger, redaction, signer)
        # The entry first, then the content: a crash in between leaves content that verify
        # still checks against its hash, and redacting again removes it.
        removed = True
        try:
            ledger.blob_path(digest).unlink()
        except FileNotFoundError:
            removed = False
    return Redaction(digest, entry, earlier is None, removed, blob_uses(entries, digest))


def resolve_blob(entries: dict[str, Entry], text: str) -> str:
    """The one blob the ledger's entries name whose hash starts with ``text``."""
    prefix = text.strip().lower()
    if not re.fullmatch(f"[0-9a-f]{{{SHORTEST_PREFIX},64}}", prefix):
        raise LedgerError(
            f"{text}: not a blob hash (give the SHA-256 or at least {SHORTEST_PREFIX} of its "
            "hex digits)"
        )
    named = {blob for entry in entries.values() for blob in entry.blobs()}
    matches = sorted(blob for blob in named if blob.startswith(prefix))
    if not matches:
        raise LedgerError(f"{text}: no blob of the ledger has this hash")
    if len(matches) > 1:
        shown = ", ".join(match[: len(prefix) + 4] for match in matches[:3])
        raise LedgerError(f"{text}: {len(matches)} blobs start with it ({shown}): give more digits")
    return matches[0]


def blob_uses(entries: dict[str, Entry], blob: str) -> list[str]:
    """What ``blob`` held for each entry naming it, oldest first (one blob can serve
    several: the same prompt sent twice, a file left as it was)."""
    uses = []
    for digest in in_order(entries):
        entry = entries[digest]
        roles = [role for role in ("prompt", "response", "results") if getattr(entry, role) == blob]
        uses += [f"the {role} of {digest[:12]}" for role in roles]
        uses += [
            f"the snapshot of {r.path} in {digest[:12]}" for r in entry.files if r.content == blob
        ]
    return uses
