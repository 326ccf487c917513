"""`stormproof audit verify`: is the ledger intact?"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stormproof.cli.audit.common import one_line_errors
from stormproof.ledger import open_ledger, verify_ledger
from stormproof.ledger.anchor import REF
from stormproof.ledger.signing import load_public


@click.command()
@click.option(
    "--key",
    "keys",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A trusted public key (KEY.pub): every entry must be signed by one. Repeatable.",
)
def verify(keys: tuple[Path, ...]) -> None:
    """Recompute every hash: exit 0 when the ledger is intact, 1 naming the first bad entry
    and why (changed, missing, a missing parent or blob, a bad signature), 2 for bad input.
    A blob emptied by `redact` is fine."""
    with one_line_errors("verify"):
        ledger = open_ledger()
        result = verify_ledger(ledger, trusted=[load_public(key) for key in keys])
    if not result.intact:
        first = result.problems[0]
        more = len(result.problems) - 1
        click.echo(f"ledger broken: {first}" + (f" (and {more} more problems)" if more else ""))
        for problem in result.problems[1:]:
            click.echo(f"  {problem}")
        sys.exit(1)
    heads = ", ".join(head[:12] for head in result.heads) or "none"
    click.echo(
        f"ledger intact: {result.entries} entries, {result.blobs} blobs "
        f"({result.redacted} redacted), heads {heads}"
    )
    # Said either way: the hash chain alone cannot see newer entries deleted or a rollback.
    if result.anchor is None:
        click.echo("not anchored: `stormproof audit anchor` lets verify catch a rollback too")
    else:
        click.echo(f"anchor {result.anchor[:12]} ({REF}): every head it names is present")
