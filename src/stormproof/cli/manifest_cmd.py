"""`stormproof manifest` (show the system model) and `stormproof init` (draft one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from stormproof.cli.options import text_or_json
from stormproof.manifest import (
    MANIFEST_NAME,
    Manifest,
    ManifestError,
    Policies,
    Saga,
    Service,
    find_manifest,
    load_manifest,
)
from stormproof.manifest.compose import ComposeError
from stormproof.manifest.draft import draft_system
from stormproof.manifest.draft_yaml import render_draft
from stormproof.manifest.errors import display_path

# Piped output has no terminal width; a table squeezed to 80 columns wraps every cell.
_PIPED_WIDTH = 120
_YAML_SUFFIXES = (".yaml", ".yml")


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(2)


@click.command("manifest")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option(
    "--manifest",
    "manifest_file",
    type=click.Path(path_type=Path),
    help=f"The manifest to read, instead of looking for {MANIFEST_NAME} from PATH upwards.",
)
@text_or_json(
    "text for people; json for the normalised model, defaults filled in.", name="output_format"
)
def manifest(path: Path, manifest_file: Path | None, output_format: str) -> None:
    """Show the system that stormproof.yaml describes.

    Looks for stormproof.yaml in PATH (default: the current directory) and
    its parents, or reads PATH itself when it is a .yaml file; validates it;
    and prints the services, the call graph, the datastores and their owners,
    the sagas and the policies. An invalid manifest is reported as
    FILE:LINE:COLUMN: problem, with exit code 2.

    \b
    Examples:
      stormproof manifest
      stormproof manifest examples/travel --format json
      stormproof manifest --manifest deploy/stormproof.yaml
    """
    system = _load(path, manifest_file)
    if output_format == "json":
        click.echo(json.dumps(system.to_json(), indent=2))
        return
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, _PIPED_WIDTH)
    _print_summary(console, system)


def _load(path: Path, manifest_file: Path | None) -> Manifest:
    if manifest_file is None:
        if not path.exists():
            _fail(f"stormproof: {path}: no such file or directory")
        # A YAML file given as PATH is the manifest itself, whatever its name.
        manifest_file = path if path.suffix in _YAML_SUFFIXES else find_manifest(path)
        if manifest_file is None:
            _fail(
                f"stormproof: no {MANIFEST_NAME} in {display_path(path.absolute())} or any "
                "parent directory (`stormproof init` drafts one)"
            )
    try:
        return load_manifest(manifest_file)
    except ManifestError as error:
        _fail(str(error))


def _print_summary(console: Console, system: Manifest) -> None:
    counts = (
        f"{_count(system.services, 'service')}, {_count(system.datastores, 'datastore')}, "
        f"{_count(system.sagas, 'saga')}"
    )
    console.print(f"[bold]{escape(system.name)}[/]  {escape(display_path(system.path))}")
    console.print(counts)
    if system.services:
        console.print()
        console.print("[bold]Services[/]")
        console.print(_services_table(system))
        _print_call_graph(console, system)
    if system.datastores:
        console.print()
        console.print("[bold]Datastores[/]")
        console.print(_datastores_table(system))
    for name, saga in system.sagas.items():
        _print_saga(console, name, saga)
    console.print()
    console.print("[bold]Policies[/]")
    for name, value in _policy_lines(system.policies):
        console.print(f"  {name:<17} {value}")
    check_settings = system.check.model_dump(exclude_defaults=True)
    if check_settings:
        settings = "; ".join(f"{key}: {value}" for key, value in check_settings.items())
        console.print(f"[bold]Check[/]  {escape(settings)}")
    if system.chaos.workload is not None or system.chaos.scenarios:
        workload = system.chaos.workload.module if system.chaos.workload else "none"
        scenarios = ", ".join(system.chaos.scenarios) or "the built-in default"
        console.print(
            f"[bold]Chaos[/]  workload {escape(workload)}; scenarios: {escape(scenarios)}"
        )


def _count(entries: dict[str, object], noun: str) -> str:
    return f"{len(entries)} {noun}{'' if len(entries) == 1 else 's'}"


def _services_table(system: Manifest) -> Table:
    table = Table()
    for column in ("service", "role", "path", "calls", "owns", "consistency"):
        table.add_column(column, overflow="fold")
    for name, service in system.services.items():
        table.add_row(
            escape(name),
            service.role,
            escape(service.path),
            escape(", ".join(service.calls)) or "-",
            escape(", ".join(service.owns)) or "-",
            _consistency_text(service),
        )
    return table


def _consistency_text(service: Service) -> str:
    if service.consistency:
        return f"{service.consistency.choice}: {escape(service.consistency.reason)}"
    if service.owns:
        return "[red]none: owns data, choose CP or AP[/]"
    return "-"


def _print_call_graph(console: Console, system: Manifest) -> None:
    edges = [
        f"  {escape(caller)} → {escape(target)}  ({escape(call.env)})"
        for caller, service in system.services.items()
        for target, call in service.calls.items()
    ]
    console.print()
    console.print("[bold]Call graph[/]")
    for edge in edges or ["  no calls between services"]:
        console.print(edge)


def _datastores_table(system: Manifest) -> Table:
    table = Table()
    for column in ("datastore", "kind", "env", "owner"):
        table.add_column(column, overflow="fold")
    for name, datastore in system.datastores.items():
        owner = system.owner_of(name)
        table.add_row(
            escape(name),
            datastore.kind,
            escape(datastore.env or "-"),
            escape(owner.name) if owner else "[yellow]none[/]",
        )
    return table


def _print_saga(console: Console, name: str, saga: Saga) -> None:
    console.print()
    console.print(f"[bold]Saga {escape(name)}[/]  (coordinator: {escape(saga.coordinator)})")
    for number, step in enumerate(saga.steps, start=1):
        if step.compensation:
            undo = f"undo: {escape(step.compensation)}"
            if step.pivot:
                undo += "  (pivot)"
        elif step.pivot:
            undo = "pivot: cannot be undone"
        else:
            undo = "[red]MISSING compensation (and not a pivot)[/]"
        console.print(f"  {number}. {escape(step.service)}  {escape(step.action)}  {undo}")


def _policy_lines(policies: Policies) -> list[tuple[str, str]]:
    retries = policies.retries
    retry_text = (
        "off"
        if retries == "off"
        else f"{retries.max_attempts} attempts, {retries.backoff} backoff, jitter {retries.jitter}"
    )
    return [
        ("timeouts", policies.timeouts),
        ("retries", retry_text),
        ("circuit_breakers", policies.circuit_breakers),
        ("idempotency", policies.idempotency),
        ("tracing", policies.tracing),
    ]


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help=f"Overwrite an existing {MANIFEST_NAME}.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the draft instead of writing it.")
def init(directory: Path, force: bool, to_stdout: bool) -> None:
    """Draft a stormproof.yaml from the code in DIRECTORY (default: here).

    Each top-level folder holding a FastAPI, Flask or Starlette app (or a
    main.py/app.py) becomes a service; docker-compose.yml / compose.yaml,
    when present, adds services, calls and datastores. Calls come from URL
    env vars and URL literals, datastores from client constructors and
    their env vars. Every inferred value is marked `# guess: ... — confirm`.

    \b
    Examples:
      stormproof init
      stormproof init services/ --stdout
    """
    if not directory.is_dir():
        reason = "not a directory" if directory.exists() else "no such directory"
        _fail(f"stormproof: {directory}: {reason}")
    target = directory / MANIFEST_NAME
    if target.exists() and not force and not to_stdout:
        _fail(
            f"stormproof: {display_path(target)} already exists; "
            "pass --force to overwrite it or --stdout to print the draft"
        )
    try:
        draft = draft_system(directory)
    except ComposeError as error:
        _fail(f"stormproof: {error}")
    text = render_draft(draft)
    if to_stdout:
        click.echo(text, nl=False)
        return
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"stormproof: cannot write {display_path(target)}: {error.strerror}")
    click.echo(
        f"wrote {display_path(target)}: {_count(draft.services, 'service')}, "
        f"{_count(draft.datastores, 'datastore')}. Confirm every '# guess', fill in the "
        "TODOs, then run `stormproof manifest`."
    )
