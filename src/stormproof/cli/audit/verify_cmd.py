"""`stormproof audit verify`: is the ledger intact?"""

from __future__ import annotations

import sys

import click

from stormproof.cli.audit.common import one_line_errors
from stormproof.ledger import open_ledger, verify_ledger


@click.command()
def verify() -> None:
    """Recompute every hash: exit 0 when the ledger is intact, 1 naming the first bad entry
    and why (changed, missing, a missing parent or blob), 2 for bad input. A blob emptied
    by `redact` is fine."""
    with one_line_errors("verify"):
        ledger = open_ledger()
        result = verify_ledger(ledger)
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
