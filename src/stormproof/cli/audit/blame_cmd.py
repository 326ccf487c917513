"""`stormproof audit blame`: which recorded generation last wrote each line of a file."""

from __future__ import annotations

import json

import click

from stormproof.cli.audit.common import one_line_errors
from stormproof.cli.options import text_or_json
from stormproof.ledger import open_ledger
from stormproof.ledger.blame import BlameResult, blame_file, parse_target

_LABEL = 12  # columns for a line's writer: a short hash, "human" or "unknown"


@click.command()
@click.argument("target", metavar="PATH[:LINE]")
@text_or_json("Lines with their writers and a key for people, or a JSON list in line order.")
def blame(target: str, output: str) -> None:
    """Name, for each line of PATH as it is now (or only LINE), the ledger entry that last
    wrote it, with its model, time and the first line of its prompt. Lines no recorded
    generation wrote are "human": written by hand, before the file was first recorded or
    since it was last. Lines carried through a redacted snapshot are "unknown".

    \b
    Example:
      stormproof audit blame booking/app.py:42
    """
    with one_line_errors("blame"):
        path, line = parse_target(target)
        result = blame_file(open_ledger(), path, line)
    if output == "json":
        click.echo(json.dumps([line.to_json() for line in result.lines], indent=2))
        return
    click.echo(_text(result, whole=line is None), nl=False)


def _text(result: BlameResult, whole: bool) -> str:
    width = len(str(result.total))
    rows = [
        f"{(line.writer.entry[:12] if line.writer else line.origin):<{_LABEL}} "
        f"{line.number:>{width}} | {line.text}"
        for line in result.lines
    ]
    key = [
        f"{w.entry[:12]} {w.time} {w.model}: {'(redacted)' if w.prompt is None else w.prompt[:72]}"
        for w in result.writers()
    ]
    if result.count("unknown"):
        key.append(f"{'unknown':<{_LABEL}} carried through a redacted snapshot: writer not known")
    if not result.recorded:
        key.append(f"{result.path}: never recorded in the ledger: every line is human-written")
    elif whole:
        key.append(_summary(result))
    return "\n".join(rows + ([""] if rows and key else []) + key) + "\n"


def _summary(result: BlameResult) -> str:
    generated, writers = result.count("generation"), len(result.writers())
    parts = [
        f"{generated} by {writers} recorded generation{'s' * (writers != 1)}",
        f"{result.count('human')} human-written",
    ]
    if unknown := result.count("unknown"):
        parts.append(f"{unknown} unknown (snapshot redacted)")
    return f"{result.path}: {result.total} lines: {', '.join(parts)}"
