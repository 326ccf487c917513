"""`stormproof audit record`: one generation event."""

from __future__ import annotations

from pathlib import Path

import click

from stormproof.cli.audit.common import (
    FILE,
    note_binary,
    one_line_errors,
    paths_argument,
    sign_option,
)
from stormproof.ledger import Generation, open_ledger, record_generation
from stormproof.ledger.signing import load_private


@click.command()
@click.option("--prompt", required=True, type=FILE, help="The prompt, as sent to the model.")
@click.option("--response", required=True, type=FILE, help="The model's response.")
@click.option("--model", required=True, help="The model's name and version.")
@click.option("--results", type=FILE, help="Check or chaos results (result.json) to keep.")
@click.option("--author", help="Who recorded it [default: git's user.name <user.email>].")
@sign_option("Sign the entry with this ed25519 private key.")
@paths_argument
def record(
    prompt: Path,
    response: Path,
    model: str,
    results: Path | None,
    author: str | None,
    key: Path | None,
    paths: tuple[Path, ...],
) -> None:
    """Record one generation: the prompt and response, the model, and the files it wrote
    (PATH...), with the lines it added or changed since the ledger last recorded each file
    (or since git's HEAD, for a file it never recorded). Lines a person changed since then
    count as this generation's unless `stormproof audit checkpoint` recorded them first.

    \b
    Example:
      stormproof audit record --prompt p.txt --response r.md --model claude-x -- booking/app.py
    """
    with one_line_errors("record"):
        ledger = open_ledger()
        generation = Generation(
            prompt=prompt.read_bytes(),
            response=response.read_bytes(),
            model=model,
            files=paths,
            results=None if results is None else results.read_bytes(),
            author=author,
        )
        signer = None if key is None else load_private(key)
        digest = record_generation(ledger, generation, signer=signer)
    note_binary(ledger, digest)
    files = f"{len(paths)} file{'s' * (len(paths) != 1)}"
    click.echo(f"recorded {digest[:12]} ({files}) in {ledger.relative(ledger.root)}")
