"""`stormproof audit redact`: delete a blob's content, keep its hash."""

from __future__ import annotations

from pathlib import Path

import click

from stormproof.cli.audit.common import one_line_errors, sign_option
from stormproof.ledger import open_ledger
from stormproof.ledger.redact import redact_blob
from stormproof.ledger.signing import load_private


@click.command()
@click.argument("blob")
@click.option("--reason", required=True, help="Why the content goes; kept in the ledger.")
@click.option("--author", help="Who redacts it [default: git's user.name <user.email>].")
@sign_option("Sign the redaction entry with this ed25519 private key.")
def redact(blob: str, reason: str, author: str | None, key: Path | None) -> None:
    """Delete the content of BLOB (a prompt, response, file snapshot or results), keeping
    its hash: the entries naming it still verify, and a redaction entry records who removed
    it, when and why. BLOB is the SHA-256 or a unique prefix of at least 8 hex digits (the
    `blobs` of `stormproof audit log --format json`). Redacting a blob again records
    nothing new.

    The content stays in git's history, and in every clone, until that history is rewritten.

    \b
    Example:
      stormproof audit redact 3f2a9c1d --reason "customer data in the prompt (ticket 812)"
    """
    with one_line_errors("redact"):
        ledger = open_ledger()
        signer = None if key is None else load_private(key)
        done = redact_blob(ledger, blob, reason, author=author, signer=signer)
    if done.new:
        gone = "" if done.removed else "; its content was already gone"
        click.echo(f"redacted {done.blob[:12]} ({', '.join(done.uses)}){gone}: recorded "
                   f"{done.entry[:12]} in {ledger.relative(ledger.root)}")  # fmt: skip
    else:
        leftover = "; removed its leftover content" if done.removed else ""
        click.echo(f"{done.blob[:12]} was already redacted by {done.entry[:12]}{leftover}")
