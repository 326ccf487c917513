"""`stormproof audit export`: the ledger as in-toto statements or a markdown report."""

from __future__ import annotations

from pathlib import Path

import click

from stormproof.cli.audit.common import one_line_errors
from stormproof.ledger import open_ledger
from stormproof.ledger.export_intoto import render_intoto
from stormproof.ledger.export_markdown import render_markdown

_RENDERERS = {"in-toto": render_intoto, "markdown": render_markdown}


@click.command()
@click.option(
    "--format",
    "form",
    required=True,
    type=click.Choice(list(_RENDERERS)),
    help="in-toto: one Statement v1 per generation and per human checkpoint, as JSON Lines. "
    "markdown: a report for people (technical documentation).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file [default: standard output].",
)
def export(form: str, output: Path | None) -> None:
    """Export the ledger as in-toto statements (JSON Lines) or a markdown report.

    in-toto: one in-toto Statement v1 per generation entry, oldest first, one JSON object a
    line (an attestation bundle, .intoto.jsonl): the files written are the subjects, with
    their SHA-256; the predicate (https://stormproof.dev/ledger/generation/v1) holds the
    prompt, response and results hashes, the model, the lines written, author, time and
    tool. A human checkpoint gets a statement of its own type
    (https://stormproof.dev/ledger/checkpoint/v1, origin "human": the files and the lines a
    person changed, author, time and tool). Redaction entries name no file and get no
    statement. The statements are unsigned.

    markdown: the AI-generated modules, their prompts, models and check results, the lines
    changed by hand between generations (human checkpoints), the ledger's integrity and its
    redactions.

    \b
    Example:
      stormproof audit export --format in-toto --output ledger.intoto.jsonl
    """
    with one_line_errors("export"):
        text = _RENDERERS[form](open_ledger())
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
