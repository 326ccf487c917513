"""`stormproof audit anchor`: remember the ledger's heads outside its directory."""

from __future__ import annotations

import sys

import click

from stormproof.cli.audit.common import one_line_errors
from stormproof.ledger import open_ledger, verify_ledger
from stormproof.ledger.anchor import REF, anchor_ledger


@click.command()
def anchor() -> None:
    """Record the ledger's current heads in the git ref refs/stormproof/ledger (a chain of
    commits, one per anchor), so that `verify` fails when an anchored entry is later removed
    or the ledger is rolled back to an older state. Only an intact ledger is anchored: exit 1
    naming its first problem otherwise.

    Git keeps the ref to this clone unless it is pushed; share it like a branch:

    \b
      git push origin refs/stormproof/ledger
      git fetch origin refs/stormproof/ledger:refs/stormproof/ledger
    """
    with one_line_errors("anchor"):
        ledger = open_ledger()
        result = verify_ledger(ledger)
        if not result.intact:
            click.echo(f"not anchored: ledger broken: {result.problems[0]}")
            sys.exit(1)
        done = anchor_ledger(ledger, result.heads)
    heads = ", ".join(head[:12] for head in done.heads)
    plural = "s" * (len(done.heads) != 1)
    where = f"{ledger.relative(ledger.root)} in {REF} (commit {done.commit[:12]})"
    if done.new:
        click.echo(f"anchored {len(done.heads)} head{plural} of {where}: {heads}")
    else:
        click.echo(f"already anchored: {len(done.heads)} head{plural} of {where}: {heads}")
