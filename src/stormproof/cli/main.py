"""`stormproof`: the entry point and the command group.

Commands are imported only when they run, so `stormproof check` does not pay
for importing every other subsystem.
"""

from __future__ import annotations

import sys

import click

from stormproof import __version__
from stormproof.cli.options import LazyGroup

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# command name → "module:attribute"
COMMANDS = {
    "check": "stormproof.cli.check_cmd:check",
    "rules": "stormproof.cli.rules_cmd:rules",
    "manifest": "stormproof.cli.manifest_cmd:manifest",
    "init": "stormproof.cli.manifest_cmd:init",
    "chaos": "stormproof.cli.chaos_cmd:chaos",
    "lin": "stormproof.cli.lin_cmd:lin",
    "audit": "stormproof.cli.audit_cmd:audit",
}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="stormproof")
def cli() -> None:
    """Guardrails for distributed Python services written with AI assistants.

    \b
    Example:
      stormproof check examples/travel/naive
    """


def main() -> None:
    try:
        cli.main(prog_name="stormproof")
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        click.echo("stormproof: interrupted", err=True)
        sys.exit(130)
