"""``stormproof audit blame``: which recorded generation last wrote each line of a file.

Each recorded text version of the file (a generation's or a checkpoint's snapshot) gets a
writer per line, oldest version first: a line the entry says it wrote is the entry's; any
other line was carried over from the version the entry was diffed against, and keeps that
line's writer. The file as it is now is mapped onto the last recorded version the same way:
a carried line keeps its writer, any other line was changed by hand since. A checkpoint is
a writer like a generation, whose lines are ``human``: a person wrote them, and the
checkpoint says who and when.

The version an entry was diffed against is the last, in the log's order, of its
*ancestors* that recorded the file as text (the entries present when an entry is recorded
are exactly its ancestors: it names their heads as parents). So on a forked ledger (two
branches that each recorded the file, then merged) each version is mapped onto its own
branch's, as its ``lines`` were computed. Where branches meet, in the working tree or in an
entry recorded after the merge, the lines not carried over from that version are looked
for in the other branches' last versions too: ``record`` diffs against one version only,
so without this the other branch's generated lines would pass for hand-written (or for the
merging entry's).

A snapshot that is gone (redacted, or lost) cannot be mapped through: a later version's
lines that its entry did not write are mapped onto the last readable version before it
instead, and those not found there are *unknown*. (``record`` itself skips a snapshot
that is gone when it diffs: a version recorded after the redaction was diffed against that
readable one, so none of its lines is unknown.) A gone snapshot whose file is in the
working tree, unchanged, is read from there."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from stormproof.ledger.attribution import carried, text_lines
from stormproof.ledger.canonical import sha256
from stormproof.ledger.entry import Entry, FileRecord
from stormproof.ledger.errors import LedgerError
from stormproof.ledger.log import first_line
from stormproof.ledger.order import in_order
from stormproof.ledger.store import Ledger

Origin = Literal["generation", "human", "unknown"]
# A line's writer is an entry's hash or one of these two (which are not 64 hex digits).
HUMAN: Origin = "human"
UNKNOWN: Origin = "unknown"

_WITH_LINE = re.compile(r"(?P<path>.+):(?P<line>[^:]*)")


@dataclass(frozen=True)
class Writer:
    """The entry that wrote a line: its hash, when, by whom, with which model, and its
    prompt's first line (None when the prompt was redacted). ``origin`` is ``generation``,
    or ``human`` for a checkpoint (which has no model or prompt)."""

    entry: str
    time: str
    author: str
    model: str | None
    prompt: str | None
    origin: Origin = "generation"


@dataclass(frozen=True)
class BlameLine:
    """One line of the file as it is now (``number`` is 1-based). ``origin`` is
    ``generation`` (``writer`` names the entry), ``human`` (no recorded generation wrote
    it: ``writer`` names the checkpoint that recorded it, or is None when no entry did) or
    ``unknown`` (it came through a redacted snapshot, so who wrote it is not known)."""

    number: int
    text: str
    origin: Origin
    writer: Writer | None

    def to_json(self) -> dict[str, Any]:
        writer = self.writer
        return {
            "line": self.number,
            "text": self.text,
            "origin": self.origin,
            "entry": None if writer is None else writer.entry,
            "time": None if writer is None else writer.time,
            "author": None if writer is None else writer.author,
            "model": None if writer is None else writer.model,
            "prompt": None if writer is None else writer.prompt,
        }


@dataclass(frozen=True)
class BlameResult:
    """``path`` (repository-relative), its number of lines, whether any entry ever recorded
    it, and the lines asked for (all of them, or the one)."""

    path: str
    total: int
    recorded: bool
    lines: list[BlameLine]

    def writers(self) -> list[Writer]:
        """The entries that wrote the lines (generations and checkpoints), oldest first,
        each once."""
        named = {line.writer.entry: line.writer for line in self.lines if line.writer}
        return sorted(named.values(), key=lambda writer: (writer.time, writer.entry))

    def count(self, origin: Origin) -> int:
        return sum(1 for line in self.lines if line.origin == origin)


@dataclass
class _Version:
    """One recorded text version of the file: the entry that recorded it, its lines (None
    when its snapshot is gone and no file at hand hashes to it), the 0-based lines the entry
    wrote, and a writer per line once attributed (left None when ``text`` is)."""

    entry: str
    record: FileRecord
    text: list[str] | None
    written: frozenset[int]
    writers: list[str] | None = None


@dataclass(frozen=True)
class _Sources:
    """Where a version's lines came from: ``base``, the last version among its ancestors,
    which its entry was diffed against (None for the file's first record, diffed against
    git's HEAD); ``stand_in``, the version mapped onto in its place (``base`` itself when
    readable, else the last readable one of its line, or None); ``merged``, the last
    readable versions of the other branches merged in since ``base``."""

    base: _Version | None
    stand_in: _Version | None
    merged: list[_Version]


def parse_target(target: str) -> tuple[Path, int | None]:
    """``PATH[:LINE]`` as a path and a line number. A path that exists as given wins, since
    a file name may hold a colon. LedgerError for an empty path, or a LINE that is not a
    whole number from 1."""
    match = _WITH_LINE.fullmatch(target)
    if match is None or Path(target).exists():
        if not target:
            raise LedgerError("PATH[:LINE]: the path is empty")
        return Path(target), None
    line = match["line"]
    if not (line.isascii() and line.isdigit() and int(line) >= 1):
        raise LedgerError(f"{target}: not PATH:LINE (LINE must be a whole number from 1)")
    return Path(match["path"]), int(line)


def blame_file(ledger: Ledger, path: Path, line: int | None = None) -> BlameResult:
    """Who last wrote each line of ``path`` (relative to the working directory, or
    absolute) as it is now, or only line ``line``. LedgerError for a missing, binary or
    out-of-repository file, a line out of range, or a corrupt entry."""
    relative, data, current = _read(ledger, path)
    if line is not None and not 1 <= line <= len(current):
        raise LedgerError(f"{path}:{line}: no such line (the file has {len(current)})")
    entries = ledger.entries()
    history = _History.build(ledger, entries, relative, {sha256(data): current})
    # The working tree descends from every version: mapped onto the last, a line not found
    # there was changed by hand since it was recorded (unknown if that snapshot is gone).
    everything = frozenset(version.entry for version in history.versions)
    now = history.sources(len(history.versions), everything)
    writers = _attribute(HUMAN, current, frozenset(), now)
    resolved = {
        digest: _writer(ledger, digest, entries[digest])
        for digest in set(writers) - {HUMAN, UNKNOWN}
    }
    numbers = range(1, len(current) + 1) if line is None else [line]
    lines = []
    for n in numbers:
        who = writers[n - 1]
        lines.append(BlameLine(n, current[n - 1], _origin(who, resolved), resolved.get(who)))
    recorded = any(record.path == relative for e in entries.values() for record in e.files)
    return BlameResult(relative, len(current), recorded, lines)


def _read(ledger: Ledger, path: Path) -> tuple[str, bytes, list[str]]:
    if not path.exists():
        raise LedgerError(f"{path}: no such file")
    if not path.is_file():
        raise LedgerError(f"{path}: not a file")
    try:
        relative = ledger.relative(path)
    except ValueError:
        raise LedgerError(f"{path}: outside the repository {ledger.repo}") from None
    data = path.read_bytes()
    current = text_lines(data)
    if current is None:
        raise LedgerError(f"{path}: a binary file (the ledger keeps its hash, no line attribution)")
    return relative, data, current


@dataclass(frozen=True)
class _History:
    """The file's recorded text versions, oldest first, each attributed; and for each entry
    of the ledger, the versions among its ancestors (its *lineage*)."""

    versions: list[_Version]
    lineage: dict[str, frozenset[str]]

    @classmethod
    def build(
        cls,
        ledger: Ledger,
        entries: dict[str, Entry],
        path: str,
        texts: dict[str, list[str] | None],
    ) -> _History:
        """``texts`` maps file hashes to lines known without a blob (the working tree's), and
        caches the snapshots read."""
        order = in_order(entries)
        # A binary version has no lines: record diffs the next one against the text before.
        versions = [
            _Version(digest, record, _text(ledger, record, texts), _written(record))
            for digest in order
            for record in entries[digest].files
            if record.path == path and record.content is not None
        ]
        history = cls(versions, _ancestors(entries, order, {v.entry for v in versions}))
        for index, version in enumerate(versions):
            if version.text is not None:
                sources = history.sources(index, history.lineage[version.entry])
                version.writers = _attribute(version.entry, version.text, version.written, sources)
        return history

    def sources(self, upto: int, ancestors: frozenset[str]) -> _Sources:
        """The sources of a version whose ancestor versions are ``ancestors``, among the
        versions before ``upto``."""
        candidates = (
            self.versions[index]
            for index in range(upto - 1, -1, -1)
            if self.versions[index].entry in ancestors
        )
        base = next(candidates, None)
        if base is None:
            return _Sources(None, None, [])
        line = self.lineage[base.entry]
        stand_in = (
            base
            if base.writers is not None
            else next((v for v in candidates if v.entry in line and v.writers is not None), None)
        )
        merged: list[_Version] = []
        # Cheap test first: in an unforked ledger every ancestor is base or one of base's.
        if len(ancestors) > len(line) + 1:
            covered = line | {base.entry}
            for index in range(upto - 1, -1, -1):
                version = self.versions[index]
                if (
                    version.entry in ancestors
                    and version.entry not in covered
                    and version.writers is not None
                ):
                    merged.append(version)
                    covered |= self.lineage[version.entry] | {version.entry}
        return _Sources(base, stand_in, merged)


def _attribute(
    writer: str, text: list[str], written: frozenset[int], sources: _Sources
) -> list[str]:
    """A writer per line of ``text``: ``writer`` for the lines in ``written``; for the
    others, the writer of the line they carry over from ``sources.base``, or HUMAN if there
    is none (a file's first record is diffed against git's HEAD, which no recorded
    generation wrote). A line not carried over is ``writer``'s too (the diff says it wrote
    it), or UNKNOWN if base's snapshot is gone and the line is not in its stand-in. Last, a
    line so far ``writer``'s or UNKNOWN that a merged branch's version holds is that
    branch's."""
    base, stand_in = sources.base, sources.stand_in
    if base is None:
        found = [writer if i in written else HUMAN for i in range(len(text))]
    elif stand_in is None:
        found = [writer if i in written else UNKNOWN for i in range(len(text))]
    else:
        assert stand_in.text is not None and stand_in.writers is not None  # chosen for that
        moved, old = carried(stand_in.text, text), stand_in.writers
        fresh = writer if stand_in is base else UNKNOWN
        found = [
            writer if i in written else old[moved[i]] if i in moved else fresh
            for i in range(len(text))
        ]
    for version in sources.merged:
        assert version.text is not None and version.writers is not None  # chosen for that
        moved, old = carried(version.text, text), version.writers
        for i, who in enumerate(found):
            if i in moved and who in (writer, UNKNOWN):
                found[i] = old[moved[i]]
    return found


def _ancestors(
    entries: dict[str, Entry], order: list[str], relevant: set[str]
) -> dict[str, frozenset[str]]:
    """Each entry's ancestors among ``relevant``, in one pass in topological order (an entry
    with one parent shares its parent's set)."""
    above: dict[str, frozenset[str]] = {}
    for digest in order:
        inherited = [
            above[parent] | {parent} if parent in relevant else above[parent]
            for parent in entries[digest].parents
            if parent in above
        ]
        above[digest] = inherited[0] if len(inherited) == 1 else frozenset().union(*inherited)
    return above


def _text(
    ledger: Ledger, record: FileRecord, texts: dict[str, list[str] | None]
) -> list[str] | None:
    if record.sha256 not in texts:
        data = None if record.content is None else ledger.read_blob(record.content)
        texts[record.sha256] = None if data is None else text_lines(data)
    return texts[record.sha256]


def _written(record: FileRecord) -> frozenset[int]:
    return frozenset(
        number - 1 for start, end in record.lines or () for number in range(start, end + 1)
    )


def _origin(writer: str, resolved: dict[str, Writer]) -> Origin:
    found = resolved.get(writer)
    if found is not None:
        return found.origin
    return UNKNOWN if writer == UNKNOWN else HUMAN


def _writer(ledger: Ledger, digest: str, entry: Entry) -> Writer:
    if entry.kind == "checkpoint":
        return Writer(digest, entry.time, entry.author, None, None, HUMAN)
    prompt = None if entry.prompt is None else first_line(ledger, entry.prompt)
    return Writer(digest, entry.time, entry.author, entry.model, prompt)
