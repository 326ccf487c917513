"""`stormproof audit blame`: which recorded generation last wrote each line of a file."""

from __future__ import annotations

import json

import click

from stormproof.cli.audit.common import one_line_errors
from stormproof.cli.options import text_or_json
from stormproof.ledger import open_ledger
from stormproof.ledger.blame import BlameResult, Writer, blame_file, parse_target

_LABEL = 12  # columns for a line's writer: a short hash, "human" or "unknown"


@click.command()
@click.argument("target", metavar="PATH[:LINE]")
@text_or_json("Lines with their writers and a key for people, or a JSON list in line order.")
def blame(target: str, output: str) -> None:
    """Name, for each line of PATH as it is now (or only LINE), the ledger entry that last
    wrote it, with its model, time and the first line of its prompt. Lines no recorded
    generation wrote are "human": written by hand, before the file was first recorded or
    since it was last, or recorded by a human checkpoint (`stormproof audit checkpoint`),
    which is named with its author and time. Lines carried through a redacted snapshot are
    "unknown". In JSON, a human line's "entry" is the checkpoint's hash, or null when no
    entry recorded it.

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
    key = [f"{w.entry[:12]} {w.time} {_describe(w)}" for w in result.writers()]
    if result.count("unknown"):
        key.append(f"{'unknown':<{_LABEL}} carried through a redacted snapshot: writer not known")
    if not result.recorded:
        key.append(f"{result.path}: never recorded in the ledger: every line is human-written")
    elif whole:
        key.append(_summary(result))
    return "\n".join(rows + ([""] if rows and key else []) + key) + "\n"


def _describe(writer: Writer) -> str:
    if writer.origin == "human":
        return f"human checkpoint by {writer.author}"
    prompt = "(redacted)" if writer.prompt is None else writer.prompt[:72]
    return f"{writer.model}: {prompt}"


def _summary(result: BlameResult) -> str:
    writers = result.writers()
    generations = sum(1 for writer in writers if writer.origin == "generation")
    checkpoints = len(writers) - generations
    human = f"{result.count('human')} human-written"
    if checkpoints:
        by_checkpoint = sum(1 for line in result.lines if line.writer and line.origin == "human")
        human += f" ({by_checkpoint} in {checkpoints} checkpoint{'s' * (checkpoints != 1)})"
    parts = [
        f"{result.count('generation')} by {generations} recorded "
        f"generation{'s' * (generations != 1)}",
        human,
    ]
    if unknown := result.count("unknown"):
        parts.append(f"{unknown} unknown (snapshot redacted)")
    return f"{result.path}: {result.total} lines: {', '.join(parts)}"
