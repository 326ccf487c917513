"""What several commands share on the command line: subcommands imported only when they run,
and the ``--format text|json`` option."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class LazyGroup(click.Group):
    """A group whose subcommands (name → ``"module:attribute"``) are imported when they run,
    so that one command does not pay for importing every other subsystem."""

    def __init__(self, *args: Any, lazy: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.lazy)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


def text_or_json(help: str, *, name: str = "output") -> Callable[[F], F]:
    """``--format text|json`` (default text), passed to the command as ``name``."""
    return click.option(
        "--format",
        name,
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=help,
    )
