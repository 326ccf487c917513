"""`stormproof check`: the command-line face of `stormproof.check.run_check`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stormproof.check import CheckError, CheckOptions, run_check
from stormproof.check.config import FAIL_ON
from stormproof.check.report import FORMATS, render


def _split(values: tuple[str, ...]) -> list[str] | None:
    items = [v.strip() for value in values for v in value.split(",") if v.strip()]
    return items or None


@click.command(context_settings={"max_content_width": 100})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--manifest",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The stormproof.yaml to use (default: found by walking up from the first path).",
)
@click.option("--no-manifest", is_flag=True, help="Ignore any stormproof.yaml.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here."
)
@click.option(
    "--select",
    multiple=True,
    help="Only these rules: ids, id prefixes (SP1), names or categories. Comma-separated.",
)
@click.option("--ignore", multiple=True, help="Skip these rules (same forms as --select).")
@click.option("--exclude", multiple=True, help="Extra gitignore-style globs of files to skip.")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="Exit 1 when a finding is at or above this severity [default: warning].",
)
@click.option("--changed", is_flag=True, help="Only files changed against git HEAD.")
@click.option(
    "--include-tests",
    is_flag=True,
    default=None,
    help="Check test code too (tests/, test_*.py, *_test.py, conftest.py); skipped by default.",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write .stormproof/cache.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes [default: cores].")
@click.option("--color/--no-color", default=None, help="Colour text output [default: if a tty].")
def check(
    paths: tuple[Path, ...],
    manifest: Path | None,
    no_manifest: bool,
    fmt: str,
    output: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    fail_on: str | None,
    changed: bool,
    include_tests: bool | None,
    no_cache: bool,
    jobs: int | None,
    color: bool | None,
) -> None:
    """Check Python services for the failure modes of AI-written distributed code.

    Remote calls without timeouts, unbounded or unjittered retries, missing
    circuit breakers, non-idempotent handlers, sagas without compensation, lost
    trace context, unlocked read-modify-write, architecture violations against
    stormproof.yaml, dual writes and swallowed failures.

    \b
    Examples:
      stormproof check examples/travel/naive
      stormproof check . --select timeout,retry --format sarif -o results.sarif
      stormproof check --changed --fail-on error

    Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or input error.
    """
    options = CheckOptions(
        manifest=manifest,
        use_manifest=not no_manifest,
        select=_split(select),
        ignore=_split(ignore),
        exclude=_split(exclude),
        fail_on=fail_on,
        cache=not no_cache,
        changed=changed,
        include_tests=include_tests,
        jobs=jobs,
    )
    try:
        result = run_check(list(paths), options)
    except CheckError as exc:
        # Bad input (a manifest, a setting, a selector): one line, no usage banner.
        click.echo(f"stormproof check: {exc}", err=True)
        sys.exit(2)

    use_color = color if color is not None else (output is None and sys.stdout.isatty())
    report = render(result, fmt, color=use_color)
    if output is not None:
        try:
            output.write_text(report, encoding="utf-8")
        except OSError as exc:
            click.echo(f"stormproof check: cannot write {output}: {exc.strerror}", err=True)
            sys.exit(2)
    else:
        click.echo(report, nl=False)
    if fmt != "text":
        # Machine formats keep stdout clean; people still see why a file was skipped.
        for diagnostic in result.diagnostics:
            click.echo(f"stormproof: {diagnostic}", err=True)
    if result.input_errors:
        sys.exit(2)
    sys.exit(1 if result.fails(result.fail_on) else 0)
