"""Where the ledger lives and how it is read and written.

    .stormproof/ledger/
        entries/<sha256>.json   one canonical-JSON entry, named by the hash of its bytes
        blobs/<sha256>          a payload (prompt, response, file snapshot, results)
        .lock                   held while an entry is added

Every file is written to a temporary name and renamed into place, so a reader never sees a
half-written one. Adding an entry holds an exclusive lock on ``.lock`` from reading the heads
to writing the entry, so that two ``record`` processes on one machine form a chain, not a
fork; on two branches they do fork, and the next entry joins them."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stormproof.ledger.canonical import sha256
from stormproof.ledger.entry import HASH, Entry
from stormproof.ledger.errors import LedgerError

LEDGER_DIR = Path(".stormproof") / "ledger"
MANIFEST = "stormproof.yaml"


@dataclass(frozen=True, eq=False)
class Ledger:
    """A ledger directory inside the git repository ``repo``."""

    repo: Path
    root: Path

    @property
    def entries_dir(self) -> Path:
        return self.root / "entries"

    @property
    def blobs_dir(self) -> Path:
        return self.root / "blobs"

    def relative(self, path: Path) -> str:
        """``path`` relative to the repository root, with forward slashes."""
        return path.resolve().relative_to(self.repo).as_posix()

    def entry_where(self, digest: str) -> str:
        """The entry file of ``digest``, as errors and the log name it (repository-relative)."""
        return f"{self._where}/entries/{digest}.json"

    @functools.cached_property
    def _where(self) -> str:
        return self.relative(self.root)

    # Plain strings for the per-file joins: a Path per file costs more than reading it.
    @functools.cached_property
    def _entries(self) -> str:
        return os.fspath(self.entries_dir)

    @functools.cached_property
    def _blobs(self) -> str:
        return os.fspath(self.blobs_dir)

    # -- blobs --------------------------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        digest = sha256(data)
        target = self.blobs_dir / digest
        if not target.exists():
            _write_atomically(target, data)
        return digest

    def blob_path(self, digest: str) -> Path:
        return self.blobs_dir / digest

    def read_blob(self, digest: str) -> bytes | None:
        """The blob's bytes, or None when it is absent (redacted, or lost)."""
        try:
            with open(os.path.join(self._blobs, digest), "rb") as file:
                return file.read()
        except FileNotFoundError:
            return None

    # -- entries ------------------------------------------------------------------------------

    def entry_names(self) -> list[str]:
        """The names (without ``.json``) of the entry files, sorted."""
        try:
            names = os.listdir(self._entries)
        except FileNotFoundError:
            return []
        return sorted(name[:-5] for name in names if name.endswith(".json"))

    def read_entry(self, name: str) -> Entry:
        """The entry in ``entries/<name>.json``; LedgerError if it is corrupt or not named by
        its hash."""
        with open(os.path.join(self._entries, f"{name}.json"), "rb") as file:
            data = file.read()
        if not HASH.fullmatch(name) or sha256(data) != name:
            raise LedgerError(f"{self.entry_where(name)}: its content does not hash to its name")
        return Entry.decode(data, self.entry_where(name))

    def entries(self) -> dict[str, Entry]:
        """Every entry, by hash; LedgerError on the first corrupt one."""
        return {name: self.read_entry(name) for name in self.entry_names()}

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def read_signature(self, digest: str) -> bytes | None:
        """The bytes of ``entries/<digest>.sig``, or None when the entry is not signed."""
        try:
            with open(os.path.join(self._entries, f"{digest}.sig"), "rb") as file:
                return file.read()
        except FileNotFoundError:
            return None

    def add_signature(self, digest: str, data: bytes) -> None:
        _write_atomically(self.entries_dir / f"{digest}.sig", data)

    def add(self, entry: Entry) -> str:
        """Write ``entry``; its hash. Call under :meth:`locked` with parents read there."""
        data = entry.encode()
        digest = sha256(data)
        _write_atomically(self.entries_dir / f"{digest}.json", data)
        return digest


def heads(entries: dict[str, Entry]) -> list[str]:
    """The entries no other entry names as a parent, sorted."""
    named = {parent for entry in entries.values() for parent in entry.parents}
    return sorted(set(entries) - named)


def open_ledger(start: Path | None = None) -> Ledger:
    """The ledger for the working directory (or ``start``): beside the nearest
    ``stormproof.yaml`` inside the git repository, or at the repository's root. LedgerError
    outside a git repository."""
    start = (start or Path.cwd()).resolve()
    repo = _repository(start)
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        if (candidate / MANIFEST).is_file():
            return Ledger(repo, candidate / LEDGER_DIR)
        if candidate == repo:
            break
    return Ledger(repo, repo / LEDGER_DIR)


def _repository(start: Path) -> Path:
    directory = start if start.is_dir() else start.parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise LedgerError("git is not installed: the ledger lives in a git repository") from None
    if done.returncode != 0:
        raise LedgerError(f"{directory} is not inside a git repository (the ledger lives in one)")
    return Path(done.stdout.strip()).resolve()


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
