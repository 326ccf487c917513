"""`stormproof lin`: the command-line face of `stormproof.history.lin.check_linearizable`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from stormproof.cli.options import text_or_json
from stormproof.history import FORMATS, History, HistoryError, Validity, read_history
from stormproof.history.lin import (
    MODEL_NAMES,
    LinResult,
    OpError,
    check_linearizable,
    model_named,
)
from stormproof.history.lin.explain import explain, headline

HISTORY = "history.jsonl"
INDEPENDENT_HINT = (
    "every value here is a [key value] pair: if this is a jepsen.independent history, "
    "check it with --independent"
)


@click.command(context_settings={"max_content_width": 100})
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--model",
    "-m",
    required=True,
    type=click.Choice(MODEL_NAMES),
    help="The sequential specification to check against.",
)
@text_or_json("Output for people, or a JSON list with one object per file.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds per file; when they run out the verdict is unknown.",
)
@click.option(
    "--history-format",
    type=click.Choice(["auto", *FORMATS]),
    default="auto",
    show_default=True,
    help="How the files are written: history.jsonl, a Jepsen log, or Jepsen EDN maps.",
)
@click.option(
    "--independent",
    is_flag=True,
    help="Each op's value is [key value], as jepsen.independent writes it: each key is "
    "checked on its own.",
)
def lin(
    files: tuple[Path, ...],
    model: str,
    output: str,
    timeout: float,
    history_format: str,
    independent: bool,
) -> None:
    """Check histories for linearizability.

    Each FILE is a history: stormproof's history.jsonl (or a chaos run directory holding
    one), a Jepsen log (INFO jepsen.util - P :type :f value) or Jepsen EDN maps, one per
    line. Models: register (read, write),
    cas-register (+ cas [expected new]; fail means the compare failed), kv (get, put,
    append; split by key), set (add, read), counter (add, read).

    A Jepsen test built with jepsen.independent (many keys, each its own register) writes
    every value as [key value]: name it with --independent, and each key is checked apart.

    \b
    Exit status: 0 every file is linearizable, 1 one is not,
    2 none is not but one could not be decided (time budget) or read.

    \b
    Examples:
      stormproof lin tests/data/porcupine/etcd/etcd_000.log --model cas-register
      stormproof lin jepsen.log --model cas-register --independent
    """
    paths = [_history_file(f) for f in files]  # every usage error before any output
    if independent and not model_named(model).partitioned:
        # Its checker would put every key's ops in one history: violations that are not.
        per_key = ", ".join(name for name in MODEL_NAMES if model_named(name).partitioned)
        raise click.BadParameter(
            f"the {model} model is not checked per key (those that are: {per_key})",
            param_hint="'--independent'",
        )
    reports: list[dict[str, Any]] = []
    verdicts: list[Validity] = []
    for path in paths:
        report = _check_file(path, model, timeout, history_format, independent)
        verdicts.append(report["linearizable"])
        reports.append(report)
        if output == "text":
            _print_text(report)
    if output == "json":
        click.echo(json.dumps([_json_ready(r) for r in reports], indent=2))
    sys.exit(1 if False in verdicts else 2 if "unknown" in verdicts else 0)


def _history_file(path: Path) -> Path:
    """A chaos run directory stands for its history."""
    if not path.is_dir():
        return path
    if not (path / HISTORY).is_file():
        raise click.BadParameter(f"directory {str(path)!r} holds no {HISTORY}", param_hint="FILES")
    return path / HISTORY


def _check_file(
    path: Path, model: str, timeout: float, history_format: str, independent: bool
) -> dict[str, Any]:
    """One file's report: the JSON shape, plus the result for the text form."""
    try:
        history = read_history(path, history_format, independent=independent)  # type: ignore[arg-type]
    except HistoryError as exc:
        return {"file": str(path), "linearizable": "unknown", "error": str(exc)}
    hint = {} if independent or not _looks_independent(history) else {"hint": INDEPENDENT_HINT}
    try:
        result = check_linearizable(history, model, timeout=timeout)
    except OpError as exc:
        where = f"line {history.lines[exc.index]}" if history.lines else f"op {exc.index}"
        message = f"{path}: {where}: {exc.reason}"
        return {"file": str(path), "linearizable": "unknown", "error": message, **hint}
    return {"file": str(path), **result.to_dict(), **hint, "result": result}


def _looks_independent(history: History) -> bool:
    """Whether the history has the shape jepsen.independent writes: every value a pair, no
    op keyed. Read without --independent, every key's ops are checked as one register, and
    the verdict means nothing; nothing proves the shape, so it is only pointed out."""
    return len(history) > 0 and all(
        op.key is None and isinstance(op.value, list) and len(op.value) == 2 for op in history
    )


def _print_text(report: dict[str, Any]) -> None:
    if "error" in report:
        click.echo(f"stormproof lin: {report['error']}", err=True)
        if "hint" in report:
            click.echo(f"stormproof lin: hint: {report['hint']}", err=True)
        return
    result: LinResult = report["result"]
    click.echo(f"{report['file']}: {headline(result)}")
    for line in explain(result):
        click.echo(f"  {line}")
    if "hint" in report:
        click.echo(f"  hint: {report['hint']}")


def _json_ready(report: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in report.items() if key != "result"}
