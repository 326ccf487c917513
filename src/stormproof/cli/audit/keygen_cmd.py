"""`stormproof audit keygen`: an ed25519 key pair for signing entries."""

from __future__ import annotations

from pathlib import Path

import click

from stormproof.cli.audit.common import one_line_errors
from stormproof.ledger.signing import generate_key


@click.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def keygen(path: Path) -> None:
    """Write a new ed25519 private key to PATH (mode 0600; keep it out of the repository)
    and its public key to PATH.pub. Sign entries with `record --sign PATH`; check them with
    `verify --key PATH.pub`. Needs `pip install 'stormproof[sign]'`."""
    with one_line_errors("keygen"):
        public = generate_key(path)
    click.echo(f"private key {path}, public key {path}.pub: {public}")
