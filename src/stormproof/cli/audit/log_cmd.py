"""`stormproof audit log`: the ledger's entries, oldest first."""

from __future__ import annotations

import json

import click

from stormproof.cli.audit.common import one_line_errors
from stormproof.cli.options import text_or_json
from stormproof.ledger import open_ledger
from stormproof.ledger.log import log_entries


@click.command()
@text_or_json("One line per entry for people, or a JSON list (oldest first).")
def log(output: str) -> None:
    """List the entries, oldest first: hash, time, model, the prompt's first line and the
    files written (for a human checkpoint, its author and files; for a redaction, the blob
    and the reason)."""
    with one_line_errors("log"):
        items = log_entries(open_ledger())
    if output == "json":
        click.echo(json.dumps([item.to_json() for item in items], indent=2))
        return
    for item in items:
        if item.kind == "redaction":
            click.echo(f"{item.hash[:12]} {item.time} redacted {item.blobs[0][:12]}: {item.reason}")
            continue
        if item.kind == "checkpoint":
            click.echo(f"{item.hash[:12]} {item.time} human checkpoint by {item.author}")
        else:
            prompt = "(redacted)" if item.prompt is None else item.prompt
            click.echo(f"{item.hash[:12]} {item.time} {item.model}: {prompt[:72]}")
        for path in item.files:
            click.echo(f"    {path}")
