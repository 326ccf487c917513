"""`stormproof chaos`: the command-line face of `stormproof.chaos.run_chaos`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from stormproof.chaos import ChaosError, ChaosOptions, ChaosResult, Overrides, RunStatus, run_chaos
from stormproof.cli.chaos_progress import LiveProgress
from stormproof.manifest import ManifestError

_VERDICT_STYLE = {
    True: ("held", "green"),
    False: ("VIOLATED", "bold red"),
    "unknown": ("unknown", "yellow"),
}


@click.command(context_settings={"max_content_width": 100})
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option(
    "--scenario", "-s", help="Scenario from the manifest's chaos.scenarios [default: default]."
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Seed of the fault schedule and the operations [default: random, printed].",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds of workload under faults (overrides the scenario's).",
)
@click.option(
    "--settle",
    type=click.FloatRange(min=0),
    help="Seconds to wait after healing before the final reads.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    help="The run directory [default: .stormproof/chaos/<time>-<scenario>-seed<N>].",
)
@click.option(
    "--replay",
    type=click.Path(path_type=Path),
    help="Apply the schedule of an earlier run (its directory or schedule.json).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=1024),
    help="Workers (overrides the workload's).",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0),
    help="Operations per second, all workers together; 0: as fast as they can.",
)
@click.option("--progress/--no-progress", default=True, help="Show live progress on stderr.")
def chaos(
    path: Path,
    scenario: str | None,
    seed: int | None,
    duration: float | None,
    settle: float | None,
    out: Path | None,
    replay: Path | None,
    concurrency: int | None,
    rate: float | None,
    progress: bool,
) -> None:
    """Run the real services under injected faults, record a history, check invariants.

    Starts every service of PATH's stormproof.yaml (a directory or the file) from its run
    command, each behind fault-injecting proxies, drives the workload named in chaos.workload
    while the scenario's faults come and go, heals, settles, reads the final state and
    judges every invariant. The run directory holds result.json, history.jsonl,
    schedule.json, final.json, logs/ and summary.md.

    \b
    Examples:
      stormproof chaos examples/travel/naive --seed 1
      stormproof chaos . --scenario partitions --duration 20
      stormproof chaos . --replay .stormproof/chaos/20261121-101500-default-seed1

    Exit status: 0 every invariant held, 1 an invariant was violated, 2 unknown, or the run
    could not be carried out (bad input, a service that does not start).
    """
    options = ChaosOptions(
        path=path,
        scenario=scenario,
        seed=seed,
        duration=duration,
        settle=settle,
        out=out,
        replay=replay,
        overrides=Overrides(concurrency=concurrency, rate=rate),
    )
    err = Console(stderr=True)
    status = RunStatus()
    try:
        if progress:
            with LiveProgress(status, err):
                result = run_chaos(options, status)
        else:
            result = run_chaos(options, status)
    except (ChaosError, ManifestError) as error:
        _fail(str(error), getattr(error, "detail", ""), status)
    except KeyboardInterrupt:
        _fail("interrupted; every service was stopped", "", status)
    for note in status.notes:
        click.echo(f"stormproof chaos: note: {note}", err=True)
    _print_result(result)
    sys.exit(result.exit_code)


def _fail(message: str, detail: str, status: RunStatus) -> None:
    click.echo(f"stormproof chaos: {message}", err=True)
    for line in detail.splitlines():
        click.echo(f"    {line}", err=True)
    if status.run_dir is not None:
        click.echo(f"stormproof chaos: what was recorded is in {status.run_dir}", err=True)
    sys.exit(2)


def _print_result(result: ChaosResult) -> None:
    console = Console(highlight=False, soft_wrap=True)
    schedule = result.schedule
    console.print(
        f"scenario [bold]{schedule.scenario}[/] · seed [bold]{schedule.seed}[/] · "
        f"{len(schedule.events)} faults over {schedule.duration:g}s"
    )
    for verdict in result.verdicts:
        word, style = _VERDICT_STYLE[verdict.valid]
        console.print(f"  [{style}]{word:>8}[/]  {verdict.name}: {verdict.message}")
    if result.reason:
        console.print(f"  [yellow] unknown[/]  {result.reason}")
    word, style = _VERDICT_STYLE[result.valid]
    console.print(f"[{style}]{word}[/] · summary: {result.run_dir / 'summary.md'}")
