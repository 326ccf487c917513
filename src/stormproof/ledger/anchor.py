"""``stormproof audit anchor``: the ledger's heads, recorded outside the ledger directory.

Entries chain by hash, so changing or deleting one in the middle breaks its children; but
deleting the newest entries, or rolling the whole directory back to an older commit, leaves
a shorter ledger that still verifies. An anchor remembers the heads in the repository's git
objects, and ``verify`` then requires every head of the latest anchor to be present. That
is enough: verify also requires every parent of a present entry to be present, so an
anchored head's whole history is there, and a present entry is always an ancestor of (or
one of) the current heads.

The anchors are a chain of commits under one ref, ``refs/stormproof/ledger``, each one's
parent the previous anchor. The commit's tree holds ``<ledger path>/heads`` (one head per
line) for every ledger anchored in the repository, since a repository may hold several
manifests, each with its ledger. Why a ref and not a git note: a note hangs on one object,
but the ledger's state belongs to no commit (entries are recorded before they are committed,
and HEAD moves on and back); a ref is one name to read, its commits keep every earlier
anchor, and moving it backwards takes a deliberate force. Git pushes and fetches it only
when asked (``git push origin refs/stormproof/ledger``)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from stormproof.ledger.entry import HASH, Entry
from stormproof.ledger.errors import LedgerError
from stormproof.ledger.record import TOOL, git_author
from stormproof.ledger.store import Ledger

REF = "refs/stormproof/ledger"
# Anchors are written by the tool, and a repository without user.name must anchor too; the
# person anchoring is named in the message.
_IDENTITY = {
    "GIT_AUTHOR_NAME": "stormproof",
    "GIT_AUTHOR_EMAIL": "stormproof@localhost",
    "GIT_COMMITTER_NAME": "stormproof",
    "GIT_COMMITTER_EMAIL": "stormproof@localhost",
}


@dataclass(frozen=True)
class Anchored:
    commit: str
    """The anchor commit that names ``heads`` (an earlier one when ``new`` is false)."""
    heads: list[str]
    new: bool
    """False when the latest anchor already named exactly these heads."""


def anchor_ledger(ledger: Ledger, heads: list[str]) -> Anchored:
    """Record ``heads`` (those of a ledger that verified) as the ledger's anchor: a new
    commit on :data:`REF`. LedgerError for an empty ledger, or when git fails (another
    anchor moved the ref meanwhile, say)."""
    name = ledger.relative(ledger.root)
    if not heads:
        raise LedgerError(f"{name}: no entries yet, nothing to anchor")
    previous = latest_anchor(ledger)
    if previous is not None and anchored_heads(ledger, previous) == heads:
        return Anchored(previous, heads, new=False)
    blob = _git(ledger, "hash-object", "-w", "--stdin", stdin="".join(f"{h}\n" for h in heads))
    with tempfile.TemporaryDirectory() as scratch:
        # A private index builds the next tree: the previous anchor's, with this ledger's
        # heads replaced, leaving the other ledgers' anchors as they were.
        index = os.environ | {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        if previous is not None:
            _git(ledger, "read-tree", previous, env=index)
        _git(
            ledger,
            "update-index",
            "--add",
            "--cacheinfo",
            f"100644,{blob},{_heads_path(ledger)}",
            env=index,
        )
        tree = _git(ledger, "write-tree", env=index)
    lines = [
        f"anchor {name}: {len(heads)} head{'s' * (len(heads) != 1)}",
        "",
        f"Ledger: {name}",
        *(f"Head: {head}" for head in heads),
        f"Anchored-by: {git_author(ledger.repo)}",
        f"Tool: {TOOL}",
    ]
    parent = [] if previous is None else ["-p", previous]
    message = "\n".join(lines) + "\n"
    commit = _git(ledger, "commit-tree", tree, *parent, stdin=message, env=os.environ | _IDENTITY)
    # Compare-and-swap: if another anchor moved the ref since we read it, fail, not lose it.
    _git(ledger, "update-ref", "-m", "stormproof audit anchor", REF, commit, previous or "")
    return Anchored(commit, heads, new=True)


@dataclass(frozen=True)
class AnchorCheck:
    """What :func:`check_anchor` found: the anchor commit it checked (None when this ledger
    was never anchored), and (where, why) for each of its heads the ledger lacks."""

    commit: str | None
    problems: list[tuple[str, str]]


def check_anchor(ledger: Ledger, entries: dict[str, Entry]) -> AnchorCheck:
    """Check that ``entries`` hold every head of the latest anchor: one missing is an entry
    removed, or the ledger rolled back. A head whose file is there but corrupt is left to
    verify's own report of it."""
    commit = latest_anchor(ledger)
    anchored = None if commit is None else anchored_heads(ledger, commit)
    if commit is None or anchored is None:
        return AnchorCheck(None, [])
    if not all(HASH.fullmatch(head) for head in anchored):
        where = f"{REF}:{_heads_path(ledger)}"
        return AnchorCheck(commit, [(where, "the anchor is not a list of entry hashes")])
    problems = []
    for head in anchored:
        if head not in entries and not (ledger.entries_dir / f"{head}.json").exists():
            why = (
                f"missing, yet the anchor {commit[:12]} ({REF}) names it as a head: removed, "
                "or the ledger rolled back"
            )
            problems.append((ledger.entry_where(head), why))
    return AnchorCheck(commit, problems)


def latest_anchor(ledger: Ledger) -> str | None:
    """The commit :data:`REF` points at, or None before the repository's first anchor."""
    done = _run(ledger, "rev-parse", "--verify", "--quiet", f"{REF}^{{commit}}")
    return done.stdout.strip() if done.returncode == 0 else None


def anchored_heads(ledger: Ledger, commit: str) -> list[str] | None:
    """The heads the anchor ``commit`` names for this ledger; None if it names none (only
    other ledgers of the repository were anchored)."""
    done = _run(ledger, "cat-file", "blob", f"{commit}:{_heads_path(ledger)}")
    return done.stdout.split() if done.returncode == 0 else None


def _heads_path(ledger: Ledger) -> str:
    return f"{ledger.relative(ledger.root)}/heads"


def _run(
    ledger: Ledger, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=ledger.repo, input=stdin, env=env, capture_output=True, text=True
    )


def _git(
    ledger: Ledger, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> str:
    done = _run(ledger, *args, stdin=stdin, env=env)
    if done.returncode != 0:
        # git's first line says what failed; the lines after it give advice.
        reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[0]
        raise LedgerError(f"git {args[0]} failed while anchoring: {reason}")
    return done.stdout.strip()
