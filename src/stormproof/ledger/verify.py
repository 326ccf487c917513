"""``stormproof audit verify``: recompute every hash in the ledger.

Intact means: every entry file hashes to its name and is a valid entry in canonical form;
every parent it names exists; every blob it names exists and hashes to its name, unless a
redaction entry emptied it; a file record's snapshot is the file it says it is. The problems
come in the order of the log (oldest first), so the first one is the first bad entry;
entries too corrupt to be placed come first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from stormproof.ledger.anchor import check_anchor
from stormproof.ledger.canonical import sha256
from stormproof.ledger.entry import Entry
from stormproof.ledger.errors import LedgerError
from stormproof.ledger.order import in_order
from stormproof.ledger.signing import signature_problem
from stormproof.ledger.store import Ledger, heads


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: ``path`` is the entry file (relative to the repository)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class VerifyResult:
    entries: int = 0
    blobs: int = 0
    redacted: int = 0
    heads: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    anchor: str | None = None
    """The anchor commit whose heads were required (None: the ledger was never anchored)."""

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_ledger(ledger: Ledger, *, trusted: Iterable[str] = ()) -> VerifyResult:
    """Check every hash (see the module's notes), and signatures: a signature present must
    verify; with ``trusted`` public keys (base64), every entry must be signed by one."""
    trusted = tuple(trusted)
    result = VerifyResult()
    entries: dict[str, Entry] = {}
    for name in ledger.entry_names():
        try:
            entries[name] = ledger.read_entry(name)
        except LedgerError as error:
            result.problems.append(Problem(ledger.entry_where(name), _after_path(error)))
    result.entries = len(entries)
    result.heads = heads(entries)
    redacted = {e.blob for e in entries.values() if e.kind == "redaction" and e.blob}
    checked: dict[str, str | None] = {}
    for digest in in_order(entries):
        where = ledger.entry_where(digest)
        for message in _entry_problems(ledger, entries, digest, redacted, checked):
            result.problems.append(Problem(where, message))
        unsigned = signature_problem(ledger.read_signature(digest), digest, trusted)
        if unsigned is not None:
            result.problems.append(Problem(where, unsigned))
    result.blobs = sum(1 for outcome in checked.values() if outcome is None)
    result.redacted = len(redacted)
    anchor = check_anchor(ledger, entries)
    result.anchor = anchor.commit
    result.problems += [Problem(where, why) for where, why in anchor.problems]
    return result


def _entry_problems(
    ledger: Ledger,
    entries: dict[str, Entry],
    digest: str,
    redacted: set[str | None],
    checked: dict[str, str | None],
) -> list[str]:
    entry = entries[digest]
    problems = [f"parent {p} is missing" for p in entry.parents if p not in entries]
    for blob in entry.blobs():
        if blob not in checked:
            checked[blob] = _blob_problem(ledger, blob, blob in redacted)
        if checked[blob] is not None:
            problems.append(str(checked[blob]))
    for record in entry.files:
        if record.content is not None and record.content != record.sha256:
            problems.append(f"file {record.path}: its snapshot is not the file it records")
    return problems


def _blob_problem(ledger: Ledger, digest: str, redacted: bool) -> str | None:
    data = ledger.read_blob(digest)
    if data is None:
        return None if redacted else f"blob {digest} is missing"
    if sha256(data) != digest:
        return f"blob {digest} was changed (its content no longer hashes to its name)"
    return None


def _after_path(error: LedgerError) -> str:
    """The message of an error that starts with the entry's path, without it."""
    return str(error).split(": ", 1)[-1]
