"""`stormproof audit checkpoint`: files as a person left them, before a generation."""

from __future__ import annotations

from pathlib import Path

import click

from stormproof.cli.audit.common import note_binary, one_line_errors, paths_argument, sign_option
from stormproof.ledger import open_ledger, record_checkpoint
from stormproof.ledger.signing import load_private


@click.command()
@click.option("--author", help="Who changed the files [default: git's user.name <user.email>].")
@sign_option("Sign the checkpoint entry with this ed25519 private key.")
@paths_argument
def checkpoint(author: str | None, key: Path | None, paths: tuple[Path, ...]) -> None:
    """Record the files PATH... as a person left them: the lines changed by hand since the
    ledger last recorded each file (or since git's HEAD, for a file it never recorded) are
    then the person's, and the next `record` diffs against this version, so that it claims
    only what the model wrote. `blame` shows those lines as "human", naming the checkpoint,
    its author and time.

    Files unchanged since their last record are left out; when none changed nothing is
    written (exit 0), so an agent's hook can run it before every generation.

    \b
    Example (a hook, before the assistant edits):
      stormproof audit checkpoint -- booking/app.py booking/saga.py
    """
    with one_line_errors("checkpoint"):
        ledger = open_ledger()
        signer = None if key is None else load_private(key)
        done = record_checkpoint(ledger, paths, author=author, signer=signer)
    unchanged = f"unchanged since the last record (or git's HEAD): {', '.join(done.unchanged)}"
    if done.entry is None:
        click.echo(f"nothing to checkpoint: {unchanged}")
        return
    note_binary(ledger, done.entry)
    files = f"{len(done.changed)} file{'s' * (len(done.changed) != 1)}"
    where = ledger.relative(ledger.root)
    click.echo(f"checkpointed {done.entry[:12]} ({files}: {', '.join(done.changed)}) in {where}"
               + (f"; {unchanged}" if done.unchanged else ""))  # fmt: skip
